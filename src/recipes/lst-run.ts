// Recipe `lst`'s measuring run: pre-train a backbone per seed, then every arm with the same memory metric.
import { manualSeed } from '../core/random/generator.js';
import type { Tensor } from '../core/tensor.js';
import { crossEntropy } from '../ops/losses.js';
import { arange } from '../ops/creation.js';
import { indexSelect } from '../ops/shape.js';
import { Adam } from '../optim/adam.js';
import { Sequential } from '../nn/containers.js';
import { Linear } from '../nn/linear.js';
import { residentMemory, type ResidentMemory } from '../lab/memory/resident.js';
import { formatBytes } from '../lab/memory/table.js';
import { imageData } from './common/images.js';
import { accuracy, trainEpochs, type Split } from './common/train.js';
import { buildLstArm, LST_ARMS, lstBackbone, type LstArm, type LstConfig } from './lst-arms.js';
import type { RecipeRunOptions } from './types.js';

/** One arm's results: per-seed accuracy, trainable parameters, and resident training memory of one step. */
export interface LstArmResult {
  acc: number[];
  trainableParams: number;
  /** residentMemory of one training step (batch of `batch`), Adam (2 state slots). */
  memory: ResidentMemory;
}

export interface LstMeasurements {
  [k: string]: unknown;
  data: string;
  inputSize: number;
  /** Pre-training test accuracy (classes 0–4), per seed. */
  pretrainAcc: number[];
  arms: Record<LstArm, LstArmResult>;
}

/**
 * The run: per seed, pre-train the backbone on classes 0–4, then train every arm from the same
 * pre-trained weights on classes 5–9 and measure its resident training memory on one batch.
 */
export function runLst({ quick, seeds, log }: RecipeRunOptions, full: LstConfig): LstMeasurements {
  const cfg: LstConfig = quick ? { ...full, epochs: 1 } : full;
  const nPre = quick ? 512 : 5000;
  const nTr = quick ? 256 : 3000;
  const nTe = quick ? 128 : 1000;
  const preEpochs = quick ? 1 : 3;
  const flat = (s: Split): Split => ({ x: s.x.reshape([s.x.shape[0], -1]), y: s.y });
  const pre = imageData(nPre, 500, [0, 1, 2, 3, 4], quick);
  const down = imageData(nTr, nTe, [5, 6, 7, 8, 9], quick);
  const preTrain = flat(pre.train);
  const train = flat(down.train);
  const test = flat(down.test);
  const inputSize = train.x.shape[1];
  const memIdx = arange(0, Math.min(cfg.batch, train.x.shape[0]), 1, { dtype: 'int32' });
  const bx = indexSelect(train.x, 0, memIdx);
  const by = indexSelect(train.y, 0, memIdx);
  const arms = {} as Record<LstArm, LstArmResult>;
  const pretrainAcc: number[] = [];
  for (let s = 0; s < seeds; s++) {
    manualSeed(s);
    const bb = lstBackbone(inputSize, cfg);
    const preNet = new Sequential(...bb, new Linear(cfg.width, cfg.classes));
    const opt = new Adam(preNet.parameters(), { lr: 1e-3 });
    trainEpochs(preTrain, { epochs: preEpochs, batch: 128, seed: s }, (x, y) => {
      opt.zeroGrad();
      crossEntropy(preNet.forward(x) as Tensor, y).backward();
      opt.step();
    });
    pretrainAcc.push(accuracy((x) => preNet.forward(x) as Tensor, flat(pre.test)));
    for (const arm of LST_ARMS) {
      manualSeed(100 + s);
      const { model, forward } = buildLstArm(arm, bb, inputSize, cfg);
      const params = model.parameters().filter((p) => p.requiresGrad);
      const memory = residentMemory(model, () => crossEntropy(forward(bx), by).backward(), {
        optimizerSlots: 2,
      });
      model.zeroGrad({ setToNone: true });
      const r = (arms[arm] ??= { acc: [], trainableParams: 0, memory });
      r.memory = memory;
      r.trainableParams = params.reduce((a, p) => a + p.numel, 0);
      const o = new Adam(params, { lr: cfg.lr[arm] });
      trainEpochs(train, { epochs: cfg.epochs, batch: cfg.batch, seed: s }, (x, y) => {
        o.zeroGrad();
        crossEntropy(forward(x), y).backward();
        o.step();
      });
      r.acc.push(accuracy(forward, test));
      log?.(
        `seed ${s} ${arm}: acc ${(100 * r.acc[r.acc.length - 1]).toFixed(2)}%, resident ${formatBytes(memory.total)} (activations ${formatBytes(memory.activations)})`,
      );
    }
  }
  return { data: down.name, inputSize, pretrainAcc, arms };
}
