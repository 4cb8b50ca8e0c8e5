// gl.randint on webgpu (int32 arithmetic, no float64, as on every backend): the js backend's draws, exact for huge ranges.
import { afterAll, describe, expect, it } from 'vitest';
import * as gl from '../../src/index.js';
import { webgpuUnavailable } from '../helpers/backends.js';

const missing = await webgpuUnavailable();
if (missing !== null) console.info(`webgpu randint tests skipped: ${missing}`);

const N = 4000;

describe.skipIf(missing !== null)('randint on webgpu', () => {
  afterAll(() => gl.setBackend('js'));

  it.each([
    [0, 10],
    [-7, 3],
    [0, 1],
    [-1000, 123457],
    [5, 5 + 2 ** 29 - 1], // the largest ranges for which the float64 path is exact too
    [-(2 ** 31), -(2 ** 31) + 2 ** 29 - 3],
  ])('randint(%i, %i) draws what the js backend draws, and the stream continues alike', async (low, high) => {
    await gl.setBackend('js');
    const ref = gl.randint(low, high, [N], { generator: new gl.Generator(9) }).dataSync();
    const gen = new gl.Generator(9);
    await gl.setBackend('webgpu');
    const t = gl.randint(low, high, [N], { generator: gen });
    expect(t.dtype).toBe('int32');
    const got = await t.data();
    expect(Array.from(got)).toEqual(Array.from(ref));
    for (const v of got) expect(v >= low && v < high).toBe(true);
    // the generator advanced as on the CPU: the next draw matches as well
    const next = await gl.rand([4], { generator: gen }).data();
    await gl.setBackend('js');
    const refGen = new gl.Generator(9);
    gl.randint(low, high, [N], { generator: refGen });
    expect(Array.from(next)).toEqual(Array.from(gl.rand([4], { generator: refGen }).dataSync()));
  });

  it('is exact for ranges up to 2^31 - 2^24 (checked with BigInt from the same 24-bit words)', async () => {
    await gl.setBackend('js');
    // the js backend's float32 uniforms are k / 2^24 exactly: they give the words k
    const u = gl.rand([N], { generator: new gl.Generator(21) }).dataSync();
    for (const [low, high] of [
      [0, 2 ** 31 - 2 ** 24],
      [-(2 ** 30), 2 ** 30 - 2 ** 24 - 5],
    ]) {
      await gl.setBackend('webgpu');
      const got = await gl.randint(low, high, [N], { generator: new gl.Generator(21) }).data();
      const r = BigInt(high - low);
      for (let i = 0; i < N; i++) {
        const k = BigInt(u[i] * 2 ** 24);
        expect(got[i]).toBe(Number((k * r) >> 24n) + low);
      }
    }
  });

  it('returns the requested dtype and refuses ranges beyond int32 arithmetic', async () => {
    await gl.setBackend('webgpu');
    const f = gl.randint(0, 6, [8], { dtype: 'float32', generator: new gl.Generator(1) });
    expect(f.dtype).toBe('float32');
    for (const v of await f.data()) expect(Number.isInteger(v) && v >= 0 && v < 6).toBe(true);
    expect(() => gl.randint(0, 2 ** 31, [2])).toThrow(/high - low be at most/);
    expect(() => gl.randint(-(2 ** 31) - 1, 0, [2])).toThrow(gl.ArgumentError);
  });
});
