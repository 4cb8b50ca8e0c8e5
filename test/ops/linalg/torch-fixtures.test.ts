// gl.linalg against PyTorch's torch.linalg: outputs and the gradients of sum_k sum(output_k * gradOutput_k),
// every case on every CPU backend. Fixtures: test/fixtures/torch/linalg.json, written by the committed script
// test/fixtures/generate_linalg_fixtures.py (rerun: /usr/bin/python3 test/fixtures/generate_linalg_fixtures.py).
// Eigen- and singular vectors are compared after the sign normalisation the fixture names ("gauge").
import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import * as gl from '../../../src/index.js';
import { testBackends, useBackend } from '../../helpers/backends.js';

interface FixtureTensor {
  shape: number[];
  dtype: 'float32' | 'float64' | 'int32';
  data: number[];
}
interface FixtureCase {
  name: string;
  fn: keyof typeof gl.linalg;
  inputs: (FixtureTensor & { requiresGrad: boolean })[];
  args: unknown[];
  outputs: Record<string, FixtureTensor>;
  gauge: Record<string, 'cols' | 'rows'>;
  gradOutputs: Record<string, FixtureTensor> | null;
  grads: (FixtureTensor | null)[];
}

interface FixtureError {
  name: string;
  fn: keyof typeof gl.linalg;
  inputs: FixtureTensor[];
  args: unknown[];
  message: string;
}

const fixture: { source: string; cases: FixtureCase[]; errors: FixtureError[] } = JSON.parse(
  readFileSync(new URL('../../fixtures/torch/linalg.json', import.meta.url), 'utf8'),
);

/** "inf" / "-inf" in the JSON arguments back to numbers. */
const decode = (a: unknown): unknown =>
  a === 'inf' ? Infinity : a === '-inf' ? -Infinity : Array.isArray(a) ? a.map(decode) : a;

const toTensor = (t: FixtureTensor, requiresGrad = false) =>
  gl.tensor(
    t.dtype === 'float64'
      ? Float64Array.from(t.data)
      : t.dtype === 'float32'
        ? Float32Array.from(t.data)
        : Int32Array.from(t.data),
    {
      shape: t.shape,
      requiresGrad,
    },
  );

/** Each vector times the sign of its first entry (columns by row 0, or rows by column 0). */
function gauge(t: gl.Tensor, kind: 'cols' | 'rows'): gl.Tensor {
  const first = kind === 'cols' ? gl.narrow(t, -2, 0, 1) : gl.narrow(t, -1, 0, 1);
  return gl.mul(t, gl.sign(first).detach());
}

function expectClose(got: gl.Tensor, want: FixtureTensor, what: string): void {
  expect(got.shape, `${what}: shape`).toEqual(want.shape);
  const g = got.dataSync();
  const tol = want.dtype === 'float32' ? 2e-4 : 1e-8;
  const scale = Math.max(1, ...want.data.map(Math.abs));
  for (let i = 0; i < want.data.length; i++)
    if (!(Math.abs(Number(g[i]) - want.data[i]) <= tol * scale))
      expect.fail(`${what}[${i}]: got ${g[i]}, PyTorch ${want.data[i]} (tolerance ${tol * scale})`);
}

function outputsOf(c: FixtureCase, res: unknown): Record<string, gl.Tensor> {
  const out: Record<string, gl.Tensor> = {};
  for (const key of Object.keys(c.outputs)) {
    const t = res instanceof gl.Tensor ? res : (res as Record<string, gl.Tensor>)[key];
    out[key] = c.gauge[key] ? gauge(t, c.gauge[key]) : t;
  }
  return out;
}

describe.each(testBackends())('gl.linalg vs PyTorch on %s', (backend) => {
  beforeAll(() => useBackend(backend));
  it.each(fixture.cases.map((c) => [c.name, c] as const))('%s', (_name, c) => {
    const inputs = c.inputs.map((t) => toTensor(t, t.requiresGrad));
    const fn = gl.linalg[c.fn] as (...a: unknown[]) => unknown;
    const outs = outputsOf(c, fn(...inputs, ...c.args.map(decode)));
    for (const [key, want] of Object.entries(c.outputs)) expectClose(outs[key], want, `${c.name} ${key}`);
    if (!c.gradOutputs) return;
    let loss: gl.Tensor | null = null;
    for (const [key, g] of Object.entries(c.gradOutputs)) {
      const term = gl.sum(gl.mul(outs[key], toTensor(g)));
      loss = loss ? gl.add(loss, term) : term;
    }
    loss!.backward();
    c.grads.forEach((want, i) => {
      if (want) expectClose(inputs[i].grad!, want, `${c.name} grad of input ${i}`);
    });
  });

  // PyTorch names its own op 'torch.linalg.solve' in one message; gradlab's ops are all 'linalg.*'
  it.each(fixture.errors.map((e) => [e.name, e] as const))('error: %s', (_name, e) => {
    const fn = gl.linalg[e.fn] as (...a: unknown[]) => unknown;
    const inputs = e.inputs.map((t) => toTensor(t));
    let caught: unknown = null;
    try {
      fn(...inputs, ...e.args.map(decode));
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(gl.LinAlgError);
    expect((caught as Error).message).toBe(e.message.replace(/^torch\.linalg\./, 'linalg.'));
  });
});
