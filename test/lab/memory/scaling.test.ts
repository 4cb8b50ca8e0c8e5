// logLogSlope recovers power-law exponents; depthSweep: plain saved bytes grow linearly in depth, √n segments as √n.
import { describe, expect, it } from 'vitest';
import * as gl from '../../../src/index.js';

const M = gl.lab.memory;

describe('lab.memory.logLogSlope', () => {
  it('recovers the exponent of an exact power law, and a noisy one approximately', () => {
    const xs = [16, 32, 64, 128, 256];
    expect(
      M.logLogSlope(
        xs,
        xs.map((x) => 3 * Math.sqrt(x)),
      ).slope,
    ).toBeCloseTo(0.5, 12);
    expect(
      M.logLogSlope(
        xs,
        xs.map((x) => 7 * x),
      ).slope,
    ).toBeCloseTo(1, 12);
    const noisy = M.logLogSlope(
      xs,
      xs.map((x, i) => x ** 0.5 * (1 + 0.05 * (i % 2 ? 1 : -1))),
    );
    expect(Math.abs(noisy.slope - 0.5)).toBeLessThan(0.05);
    expect(noisy.r2).toBeGreaterThan(0.95);
  });

  it('rejects non-positive values and mismatched lists', () => {
    expect(() => M.logLogSlope([1, 2], [0, 1])).toThrow(gl.ArgumentError);
    expect(() => M.logLogSlope([1, 2, 3], [1, 2])).toThrow(/two equally long lists/);
  });
});

describe('lab.memory.depthSweep', () => {
  function mlp(n: number): gl.nn.Sequential {
    gl.manualSeed(n);
    const blocks = [];
    for (let i = 0; i < n; i++)
      blocks.push(new gl.nn.Residual(new gl.nn.Sequential(new gl.nn.Linear(4, 4), new gl.nn.Tanh())));
    return new gl.nn.Sequential(...blocks);
  }

  it('plain peak grows linearly (slope ≈ 1) and √n-segment peak as √n (slope ≈ 0.5) over depths 16…256', () => {
    const rows = M.depthSweep(
      [16, 64, 256],
      mlp,
      () => gl.randn([8, 4]),
      (y) => y.mul(y).mean(),
    );
    const d = rows.map((r) => r.depth);
    // exactly linear: every block saves the same entries
    const perBlock = (rows[2].plain - rows[0].plain) / (256 - 16);
    expect(rows[1].plain - rows[0].plain).toBe(perBlock * (64 - 16));
    expect(
      M.logLogSlope(
        d,
        rows.map((r) => r.plain),
      ).slope,
    ).toBeGreaterThan(0.9);
    const s = M.logLogSlope(
      d,
      rows.map((r) => r.checkpointed),
    ).slope;
    expect(s).toBeGreaterThan(0.4);
    expect(s).toBeLessThan(0.6);
    // segment size k = √n at 16, 64, 256: the √n peak at 4× the depth is ≈ 2× (one segment plus the segment inputs)
    expect(rows[2].checkpointed / rows[1].checkpointed).toBeGreaterThan(1.6);
    expect(rows[2].checkpointed / rows[1].checkpointed).toBeLessThan(2.4);
  });

  it('everyKth(1) checkpoints every block alone: its peak still grows linearly (block inputs are kept)', () => {
    const rows = M.depthSweep(
      [16, 64],
      mlp,
      () => gl.randn([8, 4]),
      (y) => y.mul(y).mean(),
      M.everyKth(1),
    );
    expect(
      M.logLogSlope(
        [16, 64],
        rows.map((r) => r.checkpointed),
      ).slope,
    ).toBeGreaterThan(0.9);
    expect(() =>
      M.depthSweep(
        [0],
        mlp,
        () => gl.randn([8, 4]),
        (y) => y.sum(),
      ),
    ).toThrow(gl.ArgumentError);
  });
});
