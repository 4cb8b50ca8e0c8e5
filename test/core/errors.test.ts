// Named errors: each is thrown as its own class with a message that names the op and the offending
// shapes or dtypes.
import { describe, expect, it } from 'vitest';
import * as gl from '../../src/index.js';
import { defineGroup } from '../../src/cli/command.js';
import { needs, webgpuMissing } from '../helpers/optional.js';

/** Runs fn, expects it to throw an instance of cls, and returns the error for message checks. */
function catchErr<E extends Error>(cls: new (...a: never[]) => E, fn: () => unknown): E {
  let err: unknown = null;
  try {
    fn();
  } catch (e) {
    err = e;
  }
  expect(err, `expected ${cls.name}`).toBeInstanceOf(cls);
  expect(err).toBeInstanceOf(gl.GradlabError);
  expect((err as Error).name).toBe(cls.name);
  return err as E;
}

describe('shape errors', () => {
  it('ShapeError: matmul [2,3] x [4,5]', () => {
    const e = catchErr(gl.ShapeError, () => gl.matmul(gl.zeros([2, 3]), gl.zeros([4, 5])));
    expect(e.message).toContain('matmul');
    expect(e.message).toContain('[2,3]');
    expect(e.message).toContain('[4,5]');
  });

  it('BroadcastError: add [2,3] + [4]', () => {
    const e = catchErr(gl.BroadcastError, () => gl.zeros([2, 3]).add(gl.zeros([4])));
    expect(e).toBeInstanceOf(gl.ShapeError);
    expect(e.message).toContain('add');
    expect(e.message).toContain('[2,3]');
    expect(e.message).toContain('[4]');
  });

  it('ShapeError: reshape to an incompatible size names both shapes', () => {
    const e = catchErr(gl.ShapeError, () => gl.zeros([2, 3]).reshape([4, 2]));
    expect(e.message).toContain('reshape');
    expect(e.message).toContain('[2,3]');
    expect(e.message).toContain('[4,2]');
  });
});

describe('dtype errors', () => {
  it('DTypeError: requiresGrad on an int32 tensor', () => {
    const e = catchErr(gl.DTypeError, () => gl.tensor([1, 2], { dtype: 'int32' }).requiresGrad_());
    expect(e.message).toContain('requiresGrad');
    expect(e.message).toContain('int32');
    catchErr(gl.DTypeError, () => gl.tensor([true]).requiresGrad_());
  });

  it('logicalAnd accepts floats (non-zero is true), as torch.logical_and does', () => {
    const r = gl.logicalAnd(gl.tensor([0, 1.5, 2]), gl.tensor([1, 1, 0]));
    expect(r.dtype).toBe('bool');
    expect(r.toArray()).toEqual([false, true, false]);
  });

  it('DTypeError: where with a non-bool condition, gather with a float index', () => {
    const w = catchErr(gl.DTypeError, () => gl.where(gl.tensor([1, 0]), 1, 2));
    expect(w.message).toContain('where');
    expect(w.message).toContain('float32');
    const g = catchErr(gl.DTypeError, () => gl.gather(gl.zeros([3]), 0, gl.tensor([0.0])));
    expect(g.message).toContain('gather');
    expect(g.message).toContain('float32');
  });
});

describe('index errors', () => {
  it('IndexOutOfRangeError: gather with index 7 on a dim of size 3', () => {
    const x = gl.tensor([[1, 2, 3]]);
    const e = catchErr(gl.IndexOutOfRangeError, () => gl.gather(x, 1, gl.tensor([[7]], { dtype: 'int32' })));
    expect(e.message).toContain('gather');
    expect(e.message).toContain('7');
    expect(e.message).toContain('3');
    catchErr(gl.IndexOutOfRangeError, () => gl.gather(x, 1, gl.tensor([[-1]], { dtype: 'int32' })));
  });

  it('IndexOutOfRangeError: a bad dim', () => {
    const x = gl.zeros([2, 3]);
    const e = catchErr(gl.IndexOutOfRangeError, () => gl.gather(x, 2, gl.zeros([2, 3], { dtype: 'int32' })));
    expect(e.message).toContain('gather');
    expect(e.message).toContain('dim 2');
    const s = catchErr(gl.IndexOutOfRangeError, () => x.sum(-3));
    expect(s.message).toContain('-3');
    catchErr(gl.IndexOutOfRangeError, () => x.transpose(0, 5));
    catchErr(gl.IndexOutOfRangeError, () => x.narrow(1, 2, 2));
  });
});

describe('autograd errors', () => {
  it('GradError: non-scalar backward names the shape', () => {
    const x = gl.tensor([[1, 2]], { requiresGrad: true });
    const e = catchErr(gl.GradError, () => x.mul(2).backward());
    expect(e.message).toContain('backward');
    expect(e.message).toContain('[1,2]');
  });

  it('GraphFreedError: second backward names the op and the fix', () => {
    const x = gl.tensor([1, 2], { requiresGrad: true });
    const y = x.tanh().sum();
    y.backward();
    const e = catchErr(gl.GraphFreedError, () => y.backward());
    expect(e).toBeInstanceOf(gl.GradError);
    expect(e.message).toContain('tanh');
    expect(e.message).toContain('retainGraph');
  });

  it('InplaceModificationError: a saved tensor changed before backward', () => {
    const x = gl.tensor([1, 2], { requiresGrad: true });
    const y = x.sigmoid(); // sigmoid saves its output
    const loss = y.sum();
    y.add_(1);
    const e = catchErr(gl.InplaceModificationError, () => loss.backward());
    expect(e.message).toContain('sigmoid');
    expect(e.message).toContain('[2]');
    expect(e.message).toMatch(/version/);
  });

  it('GradError: in-place op on a leaf that requires grad', () => {
    const w = gl.tensor([1, 2], { requiresGrad: true });
    const e = catchErr(gl.GradError, () => w.add_(1));
    expect(e.message).toContain('add_');
    // allowed under noGrad (the optimizer-update pattern)
    gl.noGrad(() => w.add_(1));
    expect(Array.from(w.dataSync())).toEqual([2, 3]);
  });
});

describe('anomaly detection', () => {
  it('forward: log of a negative number gives NaN and names log', () => {
    const x = gl.tensor([1, -1]);
    const e = catchErr(gl.AnomalyError, () => gl.detectAnomaly(() => x.log()));
    expect(e.message).toContain('log');
    expect(e.message).toContain('NaN');
    expect(e.message).toContain('forward');
    // without anomaly mode the NaN passes silently
    expect(Number.isNaN(x.log().dataSync()[1])).toBe(true);
  });

  it('forward: the error carries the scope name', () => {
    const e = catchErr(gl.AnomalyError, () =>
      gl.detectAnomaly(() => gl.scope('encoder', () => gl.tensor([0]).log().mul(0))),
    );
    expect(e.message).toContain('log');
    expect(e.message).toContain('encoder');
  });

  it('backward: sqrt at 0 gives an Inf gradient and names sqrt', () => {
    const x = gl.tensor([0, 4], { requiresGrad: true });
    const y = x.sqrt().sum(); // forward is finite: [0, 2]
    const e = catchErr(gl.AnomalyError, () => gl.detectAnomaly(() => y.backward()));
    expect(e.message).toContain('sqrt');
    expect(e.message).toContain('Inf');
    expect(e.message).toContain('backward');
  });

  it('anomaly mode is off again after detectAnomaly returns', () => {
    const x = gl.tensor([0], { requiresGrad: true });
    x.sqrt().sum().backward();
    expect(x.grad!.dataSync()[0]).toBe(Infinity);
  });
});

describe('disposed tensors', () => {
  it('DisposedError after dispose() names the op and shape', () => {
    const x = gl.tensor([[1, 2, 3]]);
    x.dispose();
    expect(x.isDisposed).toBe(true);
    const e = catchErr(gl.DisposedError, () => x.add(1));
    expect(e.message).toContain('add');
    expect(e.message).toContain('[1,3]');
    catchErr(gl.DisposedError, () => x.dataSync());
    catchErr(gl.DisposedError, () => x.exp());
    x.dispose(); // disposing twice is a no-op
  });

  it('a view keeps working after its base is disposed (storage still referenced)', () => {
    const x = gl.tensor([1, 2, 3, 4]);
    const v = x.reshape([2, 2]);
    x.dispose();
    expect(v.toArray()).toEqual([
      [1, 2],
      [3, 4],
    ]);
  });
});

describe('errors of reads, registry lookups and definitions (named, never bare Error)', () => {
  it('ShapeError: item() and itemAsync() of a tensor with more than one element', async () => {
    const e = catchErr(gl.ShapeError, () => gl.zeros([2, 3]).item());
    expect(e.message).toContain('item');
    expect(e.message).toContain('[2,3]');
    await expect(gl.zeros([2]).itemAsync()).rejects.toThrow(gl.ShapeError);
  });

  it('unknown backend: the error lists backendNames() and, of those, availableBackends()', () => {
    const e = catchErr(gl.BackendError, () => gl.setBackend('cuda' as gl.BackendName));
    expect(gl.backendNames()).toEqual(expect.arrayContaining(['js', 'webgpu']));
    expect(e.message).toContain(`known backends: ${gl.backendNames().join(', ')}`);
    expect(e.message).toContain(`(usable now: ${gl.availableBackends().join(', ')})`);
    for (const name of gl.availableBackends()) expect(gl.backendNames()).toContain(name);
  });

  it('availableBackends() are the ones setBackend switches to at once; webgpu only once set up', async () => {
    const before = gl.getBackend();
    for (const name of gl.availableBackends()) {
      void gl.setBackend(name);
      expect(gl.getBackend()).toBe(name);
    }
    await gl.setBackend(before);
    const why = await webgpuMissing();
    if (why === null) expect(gl.availableBackends()).toContain('webgpu');
    else expect(gl.availableBackends()).not.toContain('webgpu');
  });

  it('ArgumentError: a CLI command group whose default subcommand is not one of its subcommands', () => {
    const e = catchErr(gl.ArgumentError, () =>
      defineGroup({ summary: 's', subcommands: {}, defaultSubcommand: 'list' }),
    );
    expect(e.message).toContain("default subcommand 'list'");
  });
});

needs('webgpu', await webgpuMissing())('errors on an asynchronous backend (webgpu)', () => {
  it('BackendError: dataSync(), toArray() and item() say to read asynchronously', async () => {
    const before = gl.getBackend();
    await gl.setBackend('webgpu');
    try {
      const x = gl.tensor([1, 2, 3]);
      expect(catchErr(gl.BackendError, () => x.dataSync()).message).toContain('await t.data()');
      catchErr(gl.BackendError, () => x.toArray());
      catchErr(gl.BackendError, () => x.sum().item());
      catchErr(gl.ShapeError, () => x.item());
    } finally {
      await gl.setBackend(before);
    }
  });
});
