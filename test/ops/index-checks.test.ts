// Out-of-range indices raise the same IndexOutOfRangeError on every backend: at the op where reads are
// synchronous, at the next read where they are not (the check then runs on the device).
import { afterAll, describe, expect, it } from 'vitest';
import * as gl from '../../src/index.js';
import { allTestBackends, useBackend } from '../helpers/backends.js';

const backends = await allTestBackends();
const before = gl.getBackend();
afterAll(async () => {
  await gl.setBackend(before);
});

/** Runs `fn` and reads its result: the error either raised, or null. */
async function outcome(fn: () => gl.Tensor): Promise<Error | null> {
  try {
    await fn().data();
    return null;
  } catch (err) {
    return err as Error;
  }
}

const idx = (values: number[]) => gl.tensor(values, { dtype: 'int32' });

describe.each(backends)('index range checks on %s', (name) => {
  it('gather, indexSelect and scatterAdd: the same error class and message', async () => {
    await useBackend(name);
    const x = gl.tensor([
      [1, 2, 3],
      [4, 5, 6],
    ]);
    const g = await outcome(() => gl.gather(x, 1, idx([0, 3, 1, 2]).reshape([2, 2])));
    expect(g).toBeInstanceOf(gl.IndexOutOfRangeError);
    expect(g!.message).toBe('gather: index 3 is out of range for a dimension of size 3');
    const s = await outcome(() => gl.indexSelect(x, 0, idx([1, -1])));
    expect(s).toBeInstanceOf(gl.IndexOutOfRangeError);
    expect(s!.message).toBe('indexSelect: index -1 is out of range for a dimension of size 2');
    const a = await outcome(() => gl.scatterAdd(x, 1, idx([0, 7, 1, 0]).reshape([2, 2]), gl.ones([2, 2])));
    expect(a!.message).toBe('scatterAdd: index 7 is out of range for a dimension of size 3');
    // valid indices pass, and a failure is reported once
    expect(await outcome(() => gl.gather(x, 1, idx([2, 0, 1, 1]).reshape([2, 2])))).toBeNull();
  });

  it('crossEntropy targets: out of range is an error, ignoreIndex is not', async () => {
    await useBackend(name);
    const logits = gl.randn([4, 3], { generator: new gl.Generator(1) });
    const bad = await outcome(() => gl.crossEntropy(logits, idx([0, 2, 3, 1])));
    expect(bad).toBeInstanceOf(gl.IndexOutOfRangeError);
    expect(bad!.message).toBe(
      'crossEntropy/nllLoss: target class 3 is out of range for 3 classes (expected 0..2 or ignoreIndex -100)',
    );
    expect(await outcome(() => gl.crossEntropy(logits, idx([0, -100, 2, 1])))).toBeNull();
  });

  it('reports the first failing check when several are queued before a read', async () => {
    await useBackend(name);
    const x = gl.tensor([1, 2, 3]);
    const err = await outcome(() => {
      const caught: Error[] = [];
      const run = (f: () => gl.Tensor) => {
        try {
          return f();
        } catch (e) {
          caught.push(e as Error);
          return gl.zeros([1]);
        }
      };
      run(() => gl.indexSelect(x, 0, idx([5])));
      run(() => gl.indexSelect(x, 0, idx([9])));
      if (caught.length) throw caught[0]; // synchronous backends threw at the first op
      return gl.indexSelect(x, 0, idx([0]));
    });
    expect(err!.message).toBe('indexSelect: index 5 is out of range for a dimension of size 3');
  });

  it('throws at the op exactly when the backend reads synchronously', async () => {
    await useBackend(name);
    const x = gl.tensor([1, 2, 3]);
    const caps = x.storage.backend.capabilities;
    if (caps.syncRead) expect(() => gl.indexSelect(x, 0, idx([3]))).toThrow(gl.IndexOutOfRangeError);
    else {
      const y = gl.indexSelect(x, 0, idx([3])); // queued: no error yet
      await expect(gl.tensor([0]).data()).rejects.toThrow(gl.IndexOutOfRangeError); // any read reports it
      y.dispose();
      expect(Array.from(await gl.tensor([4]).data())).toEqual([4]); // and only once
    }
  });
});
