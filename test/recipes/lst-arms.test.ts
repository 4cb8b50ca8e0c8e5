// Recipe `lst`'s arms: protocol text matches the built layers, every head trains, pruned side init copies the backbone.
import { describe, expect, it } from 'vitest';
import * as gl from '../../src/index.js';
import {
  buildLstArm,
  describeLstModel,
  LST_ARMS,
  LST_CONFIG,
  lstBackbone,
  prunedSideInit,
  buildLst,
} from '../../src/recipes/lst-arms.js';

const linears = (m: gl.nn.Module) =>
  m
    .modules()
    .filter((x): x is gl.nn.Linear => x instanceof gl.nn.Linear)
    .map((l) => `Linear(${l.inFeatures}→${l.outFeatures})`);

describe('recipe lst arms', () => {
  it('the protocol text names exactly the Linear shapes the backbone and the LST side network have', () => {
    gl.manualSeed(0);
    const text = describeLstModel(LST_CONFIG, 784);
    const bb = lstBackbone(784, LST_CONFIG);
    const lst = buildLst(lstBackbone(784, LST_CONFIG), 784, LST_CONFIG);
    const inText = new Set(text.match(/Linear\(\d+→\d+\)/g));
    const built = new Set([...bb.flatMap(linears), ...[...lst.sides].flatMap(linears)]);
    expect([...inText].sort()).toEqual([...built].sort());
    expect(bb).toHaveLength(1 + LST_CONFIG.ffnBlocks);
    expect(text).toContain(`side width ${LST_CONFIG.width / LST_CONFIG.side.reduction}`);
    expect(text).toContain(`LoRA rank ${LST_CONFIG.lora.rank}`);
    expect(text).toContain(`bottleneck-${LST_CONFIG.adapter.bottleneck}`);
  });

  it('every arm has a trainable head that gets a gradient, and a frozen backbone except full fine-tuning', async () => {
    gl.manualSeed(1);
    const cfg = { ...LST_CONFIG, width: 8 };
    const pre = lstBackbone(12, cfg);
    const x = gl.randn([4, 12]);
    const y = gl.tensor(Int32Array.from([0, 1, 2, 3]));
    for (const arm of LST_ARMS) {
      const { model, forward } = await buildLstArm(arm, pre, 12, cfg);
      gl.crossEntropy(forward(x), y).backward();
      const head = arm.startsWith('lst')
        ? (model as gl.lab.frozen.LadderSideTuning).head
        : ((model as gl.nn.Sequential).at(pre.length) as gl.nn.Linear);
      expect(head.weight.requiresGrad, arm).toBe(true);
      expect(head.weight.grad, arm).not.toBeNull();
      const trainable = model.parameters().filter((p) => p.requiresGrad).length;
      const all = model.parameters().length;
      if (arm === 'full') expect(trainable).toBe(all);
      else expect(trainable, arm).toBeLessThan(all);
    }
  });

  it('pruned side init with r = 1 copies each FFN block exactly (Down = identity selection)', async () => {
    gl.manualSeed(2);
    const cfg = { ...LST_CONFIG, width: 8, side: { ...LST_CONFIG.side, reduction: 1 } };
    const pre = lstBackbone(12, cfg);
    const lst = buildLst(lstBackbone(12, cfg), 12, cfg);
    const kept = await prunedSideInit(lst, pre, cfg);
    expect(kept).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    const h = gl.randn([3, 8]);
    const sides = [...lst.sides];
    for (let i = 1; i < pre.length; i++) {
      const a = (sides[i].forward(h) as gl.Tensor).dataSync();
      const b = (pre[i].forward(h) as gl.Tensor).dataSync();
      // the hidden units are the same set in index order, so the sums run in the same order
      expect(Array.from(a)).toEqual(Array.from(b));
    }
    const d = (lst.downs.at(1) as gl.nn.Linear).forward(h).dataSync();
    expect(Array.from(d)).toEqual(Array.from(h.dataSync()));
  });

  it('pruned side init with r = 2 keeps the stream dimensions with the largest weight norms', async () => {
    gl.manualSeed(3);
    const cfg = { ...LST_CONFIG, width: 8, side: { ...LST_CONFIG.side, reduction: 2 } };
    const pre = lstBackbone(12, cfg);
    // make stream dimensions 1 and 6 dominant in the input layer
    const w0 = (pre[0] as gl.nn.Sequential).at(0) as gl.nn.Linear;
    gl.noGrad(() => {
      w0.weight.narrow(0, 1, 1).mul_(100);
      w0.weight.narrow(0, 6, 1).mul_(100);
    });
    const lst = buildLst(lstBackbone(12, cfg), 12, cfg);
    const kept = await prunedSideInit(lst, pre, cfg);
    expect(kept).toHaveLength(4);
    expect(kept).toContain(1);
    expect(kept).toContain(6);
    await expect(
      buildLstArm('lst-pruned', pre, 12, { ...cfg, side: { ...cfg.side, block: 'linear' } }),
    ).rejects.toThrow(gl.ArgumentError);
  });
});
