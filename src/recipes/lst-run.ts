// Recipe `lst`'s measuring run: pre-train a backbone per seed, then every arm with the same memory metric.
import { manualSeed } from '../core/random/generator.js';
import type { Tensor } from '../core/tensor.js';
import { crossEntropy } from '../ops/losses.js';
import { arange } from '../ops/creation.js';
import { indexSelect } from '../ops/shape.js';
import { Adam } from '../optim/adam.js';
import { Sequential } from '../nn/containers.js';
import { Linear } from '../nn/linear.js';
import { residentMemory } from '../lab/memory/resident.js';
import { formatBytes } from '../lab/memory/table.js';
import { imageData } from './common/images.js';
import { accuracy, trainEpochs, type Split } from './common/train.js';
import { buildLstArm, LST_ARMS, lstBackbone, type LstConfig } from './lst-arms.js';
import { forEachSeed } from './framework/seeds.js';
import type { Measured, RecipeRunOptions } from './framework/types.js';

/**
 * The run: per seed, pre-train the backbone on classes 0–4, then train every arm from the same
 * pre-trained weights on classes 5–9 and measure its resident training memory on one batch. Per-seed
 * metrics: `acc.<arm>`, `trainableParams.<arm>`, `mem.<part>.<arm>` for every part of ResidentMemory
 * (total, weights, activations, gradients, optimizerState), and `pretrainAcc`.
 */
export async function runLst(
  { quick, seeds, log, data: force }: RecipeRunOptions,
  full: LstConfig,
): Promise<Measured> {
  const cfg: LstConfig = quick ? { ...full, epochs: 1 } : full;
  const nPre = quick ? 512 : 5000;
  const nTr = quick ? 256 : 3000;
  const nTe = quick ? 128 : 1000;
  const preEpochs = quick ? 1 : 3;
  const flat = (s: Split): Split => ({ x: s.x.reshape([s.x.shape[0], -1]), y: s.y });
  const policy = ['fashion-mnist', 'mnist-10k', 'embedded'] as const;
  const opt0 = { policy, quick, ...(force ? { force } : {}) };
  const pre = imageData({ ...opt0, nTrain: nPre, nTest: 500, classes: [0, 1, 2, 3, 4] });
  const down = imageData({ ...opt0, nTrain: nTr, nTest: nTe, classes: [5, 6, 7, 8, 9] });
  const inputSize = down.inputSize;
  const preTrain = flat(pre.train);
  const train = flat(down.train);
  const test = flat(down.test);
  const memIdx = arange(0, Math.min(cfg.batch, train.x.shape[0]), 1, { dtype: 'int32' });
  const bx = indexSelect(train.x, 0, memIdx);
  const by = indexSelect(train.y, 0, memIdx);
  const perSeed = await forEachSeed(seeds, async (s) => {
    const rec: Record<string, number> = {};
    manualSeed(s);
    const bb = lstBackbone(inputSize, cfg);
    const preNet = new Sequential(...bb, new Linear(cfg.width, cfg.classes));
    const opt = new Adam(preNet.parameters(), { lr: 1e-3 });
    trainEpochs(preTrain, { epochs: preEpochs, batch: 128, seed: s }, (x, y) => {
      opt.zeroGrad();
      crossEntropy(preNet.forward(x) as Tensor, y).backward();
      opt.step();
    });
    rec.pretrainAcc = await accuracy((x) => preNet.forward(x) as Tensor, flat(pre.test));
    for (const arm of LST_ARMS) {
      manualSeed(100 + s);
      const { model, forward } = await buildLstArm(arm, bb, inputSize, cfg);
      const params = model.parameters().filter((p) => p.requiresGrad);
      const memory = residentMemory(model, () => crossEntropy(forward(bx), by).backward(), {
        optimizerSlots: 2,
      });
      model.zeroGrad({ setToNone: true });
      for (const part of MEMORY_PARTS) rec[`mem.${part}.${arm}`] = memory[part];
      rec[`trainableParams.${arm}`] = params.reduce((a, p) => a + p.numel, 0);
      const o = new Adam(params, { lr: cfg.lr[arm] });
      trainEpochs(train, { epochs: cfg.epochs, batch: cfg.batch, seed: s }, (x, y) => {
        o.zeroGrad();
        crossEntropy(forward(x), y).backward();
        o.step();
      });
      rec[`acc.${arm}`] = await accuracy(forward, test);
      log?.(
        `seed ${s} ${arm}: acc ${(100 * rec[`acc.${arm}`]).toFixed(2)}%, resident ${formatBytes(memory.total)} (activations ${formatBytes(memory.activations)})`,
      );
    }
    return rec;
  });
  return { perSeed, details: { inputSize, arms: [...LST_ARMS] }, data: [down.provenance] };
}

/** The parts of ResidentMemory stored per arm. */
export const MEMORY_PARTS = ['total', 'weights', 'activations', 'gradients', 'optimizerState'] as const;
