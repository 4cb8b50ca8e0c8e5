// Diagnoses recipe `lst`'s gap to full fine-tuning: one pre-trained backbone per seed, then arms under varied settings.
// Usage: npx vite-node scripts/lst-diagnose.ts [seeds=1] [group...]   (groups: old, lr, epochs, full, block, width, init, gates, ladder, arms)
// Prints one line per run (arm, setting, test accuracy, seconds) and writes scripts/lst-diagnose.out.json (the committed runs are in scripts/lst-diagnose/).
import * as fs from 'node:fs';
import '../src/index.js';
import { manualSeed } from '../src/core/random/generator.js';
import type { Tensor } from '../src/core/tensor.js';
import { crossEntropy } from '../src/ops/losses.js';
import { Adam } from '../src/optim/adam.js';
import { Sequential } from '../src/nn/containers.js';
import { Linear } from '../src/nn/linear.js';
import type { Module } from '../src/nn/module.js';
import { imageData } from '../src/recipes/common/images.js';
import { arange } from '../src/ops/creation.js';
import { indexSelect } from '../src/ops/shape.js';
import { residentMemory, type ResidentMemory } from '../src/lab/memory/resident.js';
import { formatBytes } from '../src/lab/memory/table.js';
import { accuracy, trainEpochs, type Split } from '../src/recipes/common/train.js';
import {
  buildLstArm,
  LST_CONFIG,
  lstBackbone,
  type LstArm,
  type LstConfig,
} from '../src/recipes/lst-arms.js';

const seeds = Number(process.argv[2] ?? 1);
const groups = new Set(process.argv.slice(3));
const want = (g: string) => groups.size === 0 || groups.has(g);

const flat = (s: Split): Split => ({ x: s.x.reshape([s.x.shape[0], -1]), y: s.y });
const policy = ['fashion-mnist', 'mnist-10k', 'embedded'] as const;
const pre = imageData({ policy, nTrain: 5000, nTest: 500, classes: [0, 1, 2, 3, 4] });
const down = imageData({ policy, nTrain: 3000, nTest: 1000, classes: [5, 6, 7, 8, 9] });
const preTrain = flat(pre.train);
const train = flat(down.train);
const test = flat(down.test);
const inputSize = down.inputSize;
const memIdx = arange(0, 128, 1, { dtype: 'int32' });
const bx = indexSelect(train.x, 0, memIdx);
const by = indexSelect(train.y, 0, memIdx);
console.log(`data: ${down.name}, input ${inputSize}`);

interface Run {
  group: string;
  setting: string;
  arm: LstArm;
  seed: number;
  acc: number;
  seconds: number;
  /** residentMemory of one step on a batch of 128 (Adam): total and activation-only part, bytes. */
  memTotal: number;
  memActivations: number;
}
const runs: Run[] = [];

function cfgWith(o: { lr?: number; epochs?: number; side?: Partial<LstConfig['side']> }): LstConfig {
  const lr =
    o.lr === undefined
      ? LST_CONFIG.lr
      : (Object.fromEntries(Object.keys(LST_CONFIG.lr).map((k) => [k, o.lr])) as LstConfig['lr']);
  return {
    ...LST_CONFIG,
    lr,
    epochs: o.epochs ?? LST_CONFIG.epochs,
    side: { ...LST_CONFIG.side, ...o.side },
  };
}

async function trainArm(
  arm: LstArm,
  bb: Module[],
  cfg: LstConfig,
  seed: number,
): Promise<{ acc: number; mem: ResidentMemory }> {
  manualSeed(100 + seed);
  const { model, forward } = await buildLstArm(arm, bb, inputSize, cfg);
  const mem = residentMemory(model, () => crossEntropy(forward(bx), by).backward(), { optimizerSlots: 2 });
  model.zeroGrad({ setToNone: true });
  const o = new Adam(
    model.parameters().filter((p: Tensor) => p.requiresGrad),
    { lr: cfg.lr[arm] },
  );
  trainEpochs(train, { epochs: cfg.epochs, batch: cfg.batch, seed }, (x, y) => {
    o.zeroGrad();
    crossEntropy(forward(x), y).backward();
    o.step();
  });
  return { acc: await accuracy(forward, test), mem };
}

for (let seed = 0; seed < seeds; seed++) {
  manualSeed(seed);
  const bb = lstBackbone(inputSize, LST_CONFIG);
  const net = new Sequential(...bb, new Linear(LST_CONFIG.width, 5));
  const opt = new Adam(net.parameters(), { lr: 1e-3 });
  trainEpochs(preTrain, { epochs: 3, batch: 128, seed }, (x, y) => {
    opt.zeroGrad();
    crossEntropy(net.forward(x) as Tensor, y).backward();
    opt.step();
  });
  console.log(
    `seed ${seed}: pre-training accuracy ${(100 * (await accuracy((x) => net.forward(x) as Tensor, flat(pre.test)))).toFixed(1)}%`,
  );
  const go = async (group: string, setting: string, arm: LstArm, cfg: LstConfig) => {
    const t0 = performance.now();
    const { acc, mem } = await trainArm(arm, bb, cfg, seed);
    const r = {
      group,
      setting,
      arm,
      seed,
      acc,
      seconds: (performance.now() - t0) / 1000,
      memTotal: mem.total,
      memActivations: mem.activations,
    };
    runs.push(r);
    console.log(
      `${group.padEnd(7)} ${arm.padEnd(10)} ${setting.padEnd(34)} seed ${seed}: ${(100 * acc).toFixed(1)}%  resident ${formatBytes(mem.total)} (act. ${formatBytes(mem.activations)})  (${r.seconds.toFixed(1)} s)`,
    );
  };
  // the settings of the run under review: lr 1e-3 everywhere, 3 epochs, Linear+ReLU side blocks
  const old = cfgWith({ lr: 1e-3, epochs: 3, side: { block: 'linear' } });
  if (want('old'))
    for (const a of ['full', 'lora', 'probe', 'lst'] as const)
      await go('old', 'lr 1e-3, 3 ep, linear side', a, old);
  if (want('lr'))
    for (const lr of [3e-3, 1e-2])
      for (const a of ['probe', 'lst'] as const)
        await go(
          'lr',
          `lr ${lr}, 3 ep, linear side`,
          a,
          cfgWith({ lr, epochs: 3, side: { block: 'linear' } }),
        );
  if (want('epochs'))
    for (const lr of [3e-3, 1e-2])
      for (const epochs of [10, 30])
        for (const a of ['probe', 'lst'] as const)
          await go(
            'epochs',
            `lr ${lr}, ${epochs} ep, linear side`,
            a,
            cfgWith({ lr, epochs, side: { block: 'linear' } }),
          );
  if (want('full'))
    for (const epochs of [10])
      for (const [a, lr] of [
        ['full', 1e-3],
        ['lora', 1e-2],
        ['lora', 3e-3],
      ] as const)
        await go('full', `lr ${lr}, ${epochs} ep`, a, cfgWith({ lr, epochs }));
  const best = { lr: 1e-2, epochs: 10 };
  const b = `lr ${best.lr}, ${best.epochs} ep`;
  if (want('block')) {
    await go('block', `${b}, linear side`, 'lst', cfgWith({ ...best, side: { block: 'linear' } }));
    await go('block', `${b}, ffn side`, 'lst', cfgWith(best));
  }
  if (want('width'))
    for (const reduction of [4, 2, 1])
      await go('width', `${b}, ffn side, r=${reduction}`, 'lst', cfgWith({ ...best, side: { reduction } }));
  if (want('init')) go('init', `${b}, ffn side, pruned`, 'lst-pruned', cfgWith(best));
  if (want('gates')) {
    await go('gates', `${b}, gates frozen at 0.5`, 'lst', cfgWith({ ...best, side: { learnGates: false } }));
    await go(
      'gates',
      `${b}, head sees side only`,
      'lst',
      cfgWith({ ...best, side: { outGateAlpha: 10, learnGates: false } }),
    );
    await go(
      'gates',
      `${b}, head sees side only, pruned`,
      'lst-pruned',
      cfgWith({ ...best, side: { outGateAlpha: 10, learnGates: false } }),
    );
  }
  if (want('ladder'))
    for (const inputLadder of [false, true])
      for (const a of ['lst', 'lst-pruned'] as const)
        await go(
          'ladder',
          `${b}, ffn side, input ladder ${inputLadder}`,
          a,
          cfgWith({ ...best, side: { inputLadder } }),
        );
  if (want('arms'))
    for (const a of ['full', 'adapter', 'lora', 'probe', 'lst', 'lst-pruned'] as const)
      await go('arms', 'recipe config', a, LST_CONFIG);
}
fs.writeFileSync(
  'scripts/lst-diagnose.out.json',
  JSON.stringify({ data: down.name, config: LST_CONFIG, runs }, null, 1) + '\n',
);
