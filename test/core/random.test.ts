// Seeded randomness: manualSeed replay, explicit Generator streams, getState/setState, fork,
// distribution sanity checks, and a known-answer test of the Philox4x32-10 block function.
import { describe, expect, it } from 'vitest';
import * as gl from '../../src/index.js';
import { philox4x32 } from '../../src/core/random/philox.js';

const arr = (t: gl.Tensor) => Array.from(t.dataSync());

describe('Philox4x32-10 known answers', () => {
  // Known-answer vectors from Random123 (D. E. Shaw Research), file examples/kat_vectors,
  // lines "philox4x32 10 <ctr0..3> <key0..1> <out0..3>" (all words hex).
  const kat: { ctr: number[]; key: number[]; out: number[] }[] = [
    {
      ctr: [0x00000000, 0x00000000, 0x00000000, 0x00000000],
      key: [0x00000000, 0x00000000],
      out: [0x6627e8d5, 0xe169c58d, 0xbc57ac4c, 0x9b00dbd8],
    },
    {
      ctr: [0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff],
      key: [0xffffffff, 0xffffffff],
      out: [0x408f276d, 0x41c83b0e, 0xa20bc7c6, 0x6d5451fd],
    },
    {
      ctr: [0x243f6a88, 0x85a308d3, 0x13198a2e, 0x03707344],
      key: [0xa4093822, 0x299f31d0],
      out: [0xd16cfe09, 0x94fdcceb, 0x5001e420, 0x24126ea1],
    },
  ];
  const hex = (ws: ArrayLike<number>) => Array.from(ws, (w) => (w >>> 0).toString(16).padStart(8, '0'));

  it.each(kat.map((k, i) => [i, k] as const))('vector %i', (_i, { ctr, key, out }) => {
    const got = new Uint32Array(6);
    philox4x32(ctr[0], ctr[1], ctr[2], ctr[3], key[0], key[1], got, 1);
    expect(hex(got.subarray(1, 5))).toEqual(hex(out));
    // writes exactly four words at the given offset
    expect(got[0]).toBe(0);
    expect(got[5]).toBe(0);
  });
});

describe('seeding and streams', () => {
  it('manualSeed replays the global stream; a different seed gives different numbers', () => {
    gl.manualSeed(7);
    const a = arr(gl.rand([16]));
    const an = arr(gl.randn([16]));
    gl.manualSeed(7);
    expect(arr(gl.rand([16]))).toEqual(a);
    expect(arr(gl.randn([16]))).toEqual(an);
    gl.manualSeed(8);
    expect(arr(gl.rand([16]))).not.toEqual(a);
    // consecutive draws differ
    gl.manualSeed(7);
    const first = arr(gl.rand([16]));
    expect(arr(gl.rand([16]))).not.toEqual(first);
  });

  it('large seeds (above 2^32) are distinct from their low 32 bits', () => {
    gl.manualSeed(5);
    const low = arr(gl.rand([8]));
    gl.manualSeed(5 + 2 ** 32);
    expect(arr(gl.rand([8]))).not.toEqual(low);
    expect(() => gl.manualSeed(-1)).toThrow(gl.ArgumentError);
    expect(() => gl.manualSeed(1.5)).toThrow(gl.ArgumentError);
  });

  it('an explicit Generator is independent of the global stream', () => {
    gl.manualSeed(11);
    const expected = arr(gl.rand([10]));

    gl.manualSeed(11);
    const g = new gl.Generator(11);
    const fromG = arr(gl.rand([10], { generator: g }));
    expect(fromG).toEqual(expected); // same seed, same stream
    gl.randn([100], { generator: g }); // drawing from g does not move the global stream
    expect(arr(gl.rand([10]))).toEqual(expected);

    const g2 = new gl.Generator(11);
    gl.rand([1000]); // drawing from the global stream does not move g2
    expect(arr(gl.rand([10], { generator: g2 }))).toEqual(expected);
  });

  it('getState/setState replays a stream', () => {
    const g = new gl.Generator(3);
    gl.rand([5], { generator: g });
    const s = g.getState();
    const a = arr(gl.randn([7], { generator: g }));
    const b = arr(gl.rand([3], { generator: g }));
    g.setState(s);
    expect(arr(gl.randn([7], { generator: g }))).toEqual(a);
    expect(arr(gl.rand([3], { generator: g }))).toEqual(b);
    // the state is a copy, not a live reference
    const s2 = g.getState();
    gl.rand([4], { generator: g });
    expect(g.getState()).not.toEqual(s2);
    const h = new gl.Generator(99).setState(s);
    expect(arr(gl.randn([7], { generator: h }))).toEqual(a);
  });

  it('fork gives an independent, reproducible stream and advances the parent', () => {
    const g = new gl.Generator(21);
    const before = g.getState();
    const f = g.fork();
    expect(g.getState()).not.toEqual(before);
    const fromFork = arr(gl.rand([8], { generator: f }));
    const fromParent = arr(gl.rand([8], { generator: g }));
    expect(fromFork).not.toEqual(fromParent);

    const g2 = new gl.Generator(21);
    const f2 = g2.fork();
    expect(arr(gl.rand([8], { generator: f2 }))).toEqual(fromFork);
    expect(arr(gl.rand([8], { generator: g2 }))).toEqual(fromParent);
    // two forks of the same parent differ
    const f3 = g2.fork();
    expect(arr(gl.rand([8], { generator: f3 }))).not.toEqual(fromFork);
  });
});

describe('distributions', () => {
  const N = 10_000;

  it('uniform samples lie in [0, 1) with mean about 1/2', () => {
    const u = gl.rand([N], { generator: new gl.Generator(1) }).dataSync();
    let min = Infinity;
    let max = -Infinity;
    let sum = 0;
    for (const v of u) {
      min = Math.min(min, v);
      max = Math.max(max, v);
      sum += v;
    }
    expect(min).toBeGreaterThanOrEqual(0);
    expect(max).toBeLessThan(1);
    // the standard error of the mean is sqrt(1/12/N) ~ 0.003: 0.02 is a very loose bound
    expect(Math.abs(sum / N - 0.5)).toBeLessThan(0.02);
    // float64 uniforms stay below 1 too
    for (const v of gl.rand([N], { dtype: 'float64', generator: new gl.Generator(2) }).dataSync())
      expect(v < 1).toBe(true);
  });

  it('normal samples have mean about 0 and std about 1', () => {
    const z = gl.randn([N], { generator: new gl.Generator(2) }).dataSync();
    let sum = 0;
    let sq = 0;
    for (const v of z) {
      expect(Number.isFinite(v)).toBe(true);
      sum += v;
      sq += v * v;
    }
    const mean = sum / N;
    const std = Math.sqrt(sq / N - mean * mean);
    // standard errors are ~0.01 (mean) and ~0.007 (std): 0.05 leaves a wide margin
    expect(Math.abs(mean)).toBeLessThan(0.05);
    expect(Math.abs(std - 1)).toBeLessThan(0.05);
  });

  it('randint stays in [low, high) and covers every value', () => {
    const r = gl.randint(-3, 5, [N], { generator: new gl.Generator(4) });
    expect(r.dtype).toBe('int32');
    const counts = new Map<number, number>();
    for (const v of r.dataSync()) counts.set(v, (counts.get(v) ?? 0) + 1);
    expect([...counts.keys()].sort((a, b) => a - b)).toEqual([-3, -2, -1, 0, 1, 2, 3, 4]);
    // each of 8 values expected N/8 = 1250 times; +-250 is > 7 standard deviations
    for (const c of counts.values()) expect(Math.abs(c - N / 8)).toBeLessThan(250);
    const one = gl.randint(10, 11, [50]);
    expect(new Set(arr(one))).toEqual(new Set([10]));
  });
});
