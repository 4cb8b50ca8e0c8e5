// Checks every nn layer against PyTorch: the state dict (keys, order, shapes) loads from PyTorch's,
// the outputs, the gradients of sum(output * cotangent) with respect to inputs and parameters, and
// the state after forward (running statistics). Fixtures come from the committed script
// test/fixtures/generate_nn_fixtures.py (rerun: /usr/bin/python3 test/fixtures/generate_nn_fixtures.py).
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as gl from '../../src/index.js';
import { allTestBackends, useBackend } from '../helpers/backends.js';

interface FixtureTensor {
  shape: number[];
  dtype: 'float64' | 'float32' | 'int32' | 'bool';
  data: number[];
}
type Keyed = FixtureTensor & { key: string };

interface NnCase {
  name: string;
  layer: string;
  args: unknown[];
  mode: 'train' | 'eval';
  dtype: 'float64' | 'float32';
  stateBefore: Keyed[];
  inputs: (FixtureTensor & { requiresGrad: boolean })[];
  forwardArgs: unknown[];
  outputs: FixtureTensor[];
  cotangents: (FixtureTensor | null)[];
  inputGrads: (FixtureTensor | null)[];
  paramGrads: Keyed[];
  stateAfter: Keyed[];
}

const fixture = JSON.parse(readFileSync(new URL('../fixtures/torch/nn.json', import.meta.url), 'utf8')) as {
  source: string;
  cases: NnCase[];
};

const TOL = { float64: { rtol: 1e-7, atol: 1e-9 }, float32: { rtol: 1e-4, atol: 1e-5 } };

function makeTensor(t: FixtureTensor): gl.Tensor {
  if (t.shape.length === 0) return gl.tensor(t.data[0], { dtype: t.dtype });
  return gl.tensor(t.data, { dtype: t.dtype }).reshape(t.shape);
}

/** Builders for cases that are not a single layer constructor. */
const SPECIAL: Record<string, () => gl.nn.Module> = {
  'Sequential:mlp': () =>
    new gl.nn.Sequential(new gl.nn.Linear(4, 6), new gl.nn.ReLU(), new gl.nn.Linear(6, 2)),
};

function build(c: NnCase): gl.nn.Module {
  if (SPECIAL[c.layer]) return SPECIAL[c.layer]();
  const Cls = (gl.nn as any)[c.layer];
  if (typeof Cls !== 'function') throw new Error(`${c.name}: gl.nn has no layer '${c.layer}'`);
  return new Cls(...c.args) as gl.nn.Module;
}

function resolve(v: unknown, inputs: gl.Tensor[]): unknown {
  if (Array.isArray(v)) return v.map((x) => resolve(x, inputs));
  if (v !== null && typeof v === 'object') {
    const o = v as Record<string, unknown>;
    if ('$input' in o) return inputs[o.$input as number];
    return Object.fromEntries(Object.entries(o).map(([k, x]) => [k, resolve(x, inputs)]));
  }
  return v;
}

function flatten(v: unknown, out: (gl.Tensor | null)[] = []): (gl.Tensor | null)[] {
  if (v instanceof gl.Tensor) out.push(v);
  else if (Array.isArray(v)) for (const x of v) flatten(x, out);
  return out;
}

async function compare(where: string, got: gl.Tensor | null | undefined, exp: FixtureTensor): Promise<void> {
  if (!got) throw new Error(`${where}: expected a tensor of shape [${exp.shape}], got ${String(got)}`);
  expect([...got.shape], `${where}: shape`).toEqual(exp.shape);
  const data = await got.data();
  const exact = exp.dtype === 'int32' || exp.dtype === 'bool';
  const { rtol, atol: atol0 } = TOL[exp.dtype === 'float64' ? 'float64' : 'float32'];
  // float32: the absolute tolerance scales with the tensor's largest magnitude, as float32 sums cancel
  // to within eps * (sum of |terms|) (e.g. attention's key-bias gradient, 0 in exact arithmetic)
  const atol = exp.dtype === 'float32' ? atol0 * Math.max(1, ...exp.data.map(Math.abs)) : atol0;
  let bad = 0;
  let worst = '';
  let worstExcess = -Infinity;
  for (let i = 0; i < data.length; i++) {
    const g = Number(data[i]);
    const e = exp.data[i];
    const excess = exact ? (g === e ? -1 : 1) : Math.abs(g - e) - (atol + rtol * Math.abs(e));
    if (!(excess <= 0)) {
      bad++;
      if (!(excess <= worstExcess)) {
        worstExcess = excess;
        worst = `index ${i}: expected ${e}, got ${g}`;
      }
    }
  }
  if (bad)
    throw new Error(
      `${where}: ${bad}/${data.length} elements differ (rtol ${rtol}, atol ${atol}); worst ${worst}`,
    );
}

async function runCase(c: NnCase): Promise<void> {
  const m = build(c);
  if (c.dtype === 'float64') m.to('float64');
  m.train(c.mode === 'train');
  // the state dict has PyTorch's keys, in PyTorch's order, with PyTorch's shapes
  const own = m.stateDict();
  expect([...own.keys()], `${c.name}: state dict keys`).toEqual(c.stateBefore.map((e) => e.key));
  for (const e of c.stateBefore)
    expect([...own.get(e.key)!.shape], `${c.name}: shape of ${e.key}`).toEqual(e.shape);
  m.loadStateDict(new Map(c.stateBefore.map((e) => [e.key, makeTensor(e)])));

  const inputs = c.inputs.map((s) => (s.requiresGrad ? makeTensor(s).requiresGrad_() : makeTensor(s)));
  const outs = flatten(m.forward(...(resolve(c.forwardArgs, inputs) as unknown[])));
  expect(outs.length, `${c.name}: number of outputs`).toBe(c.outputs.length);
  for (const [k, o] of outs.entries()) await compare(`${c.name}: output ${k}`, o, c.outputs[k]);

  const terms = outs.flatMap((o, k) =>
    o && c.cotangents[k] ? [gl.sum(gl.mul(o, makeTensor(c.cotangents[k]!)))] : [],
  );
  if (terms.length && terms.some((t) => t.requiresGrad)) terms.reduce((a, b) => gl.add(a, b)).backward();
  for (const [k, s] of c.inputs.entries())
    if (s.requiresGrad) await compare(`${c.name}: grad of input ${k}`, inputs[k].grad, c.inputGrads[k]!);
  const params = new Map(m.namedParameters());
  expect([...params.keys()], `${c.name}: parameter names`).toEqual(c.paramGrads.map((e) => e.key));
  for (const e of c.paramGrads) {
    const p = params.get(e.key)!;
    if (!p.grad && e.data.every((v) => v === 0)) continue;
    await compare(`${c.name}: grad of ${e.key}`, p.grad, e);
  }
  const after = m.stateDict();
  for (const e of c.stateAfter) await compare(`${c.name}: state ${e.key} after forward`, after.get(e.key), e);
}

describe('nn fixture file', () => {
  it('is well formed', () => {
    expect(fixture.source).toMatch(/^generated by test\/fixtures\/generate_nn_fixtures\.py with torch /);
    expect(fixture.cases.length).toBeGreaterThan(0);
    expect(new Set(fixture.cases.map((c) => c.name)).size).toBe(fixture.cases.length);
  });
});

// every backend present, webgpu included (read asynchronously); float64 cases where the backend has
// float64 (each has a float32 twin, `<name>_as_f32`, that runs everywhere)
const backends = await allTestBackends();
const before = gl.getBackend();
afterAll(async () => {
  await gl.setBackend(before);
});
for (const backend of backends) {
  const float64 = gl.backendCapabilities(backend).float64;
  const cases = fixture.cases.filter((c) => float64 || c.dtype !== 'float64');
  if (cases.length < fixture.cases.length)
    console.info(
      `nn fixtures on ${backend}: ${fixture.cases.length - cases.length} float64 cases skipped (no float64; their float32 twins run)`,
    );
  describe(`nn layers against PyTorch on ${backend}`, () => {
    beforeAll(() => useBackend(backend));
    for (const c of cases) it(c.name, () => runCase(c));
  });
}
