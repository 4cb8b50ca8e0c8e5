// Comparisons with NaN follow IEEE 754 on every backend: only `ne` is true (webgpu once said ne(NaN, NaN) = false).
import { describe, expect, it } from 'vitest';
import * as gl from '../../src/index.js';
import { allTestBackends, useBackend } from '../helpers/backends.js';

const backends = await allTestBackends();

describe.each(backends)('comparisons with NaN on %s', (name) => {
  it('eq, ne, lt, le, gt, ge of NaN against NaN, a number and itself', async () => {
    await useBackend(name);
    const a = gl.tensor([NaN, NaN, 1, 2]);
    const b = gl.tensor([NaN, 1, NaN, 2]);
    const read = async (t: gl.Tensor) => Array.from(await t.int().data());
    // IEEE 754: every ordered comparison with a NaN operand is false, and != is true
    expect(await read(gl.eq(a, b))).toEqual([0, 0, 0, 1]);
    expect(await read(gl.ne(a, b))).toEqual([1, 1, 1, 0]);
    expect(await read(gl.lt(a, b))).toEqual([0, 0, 0, 0]);
    expect(await read(gl.le(a, b))).toEqual([0, 0, 0, 1]);
    expect(await read(gl.gt(a, b))).toEqual([0, 0, 0, 0]);
    expect(await read(gl.ge(a, b))).toEqual([0, 0, 0, 1]);
    await useBackend('js');
  });
});
