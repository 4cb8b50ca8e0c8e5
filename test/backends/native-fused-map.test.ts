// Native fused elementwise expressions: equal bit for bit to the op sequence, used by relu/sigmoid/tanh backward, declining what they do not cover.
import { beforeAll, describe, expect, it } from 'vitest';
import * as gl from '../../src/index.js';
import { backendByName } from '../../src/core/backend-registry.js';
import type { ElementwiseExpr } from '../../src/core/fused-kernels.js';
import { compileMap } from '../../src/backends/native/fused-map.js';
import { fusedMap } from '../../src/core/fused-map.js';
import { useBackend } from '../helpers/backends.js';
import { runsOf, without, withFusedTableSync } from '../helpers/fused.js';
import { ELEMENTWISE_CASES, I, op, V } from '../helpers/elementwise-cases.js';

const hasNative = gl.availableBackends().includes('native');

/** Zeros of both signs, NaN, infinities, then ordinary values; long enough for several blocks and threads. */
function awkward(n: number, phase: number): Float32Array {
  const special = [0, -0, NaN, Infinity, -Infinity, 1, -1, 1e-40];
  return Float32Array.from({ length: n }, (_, i) =>
    i % 97 < special.length ? special[(i + phase) % special.length] : Math.sin(i * 1.7 + phase) * 3,
  );
}

/** Bitwise equality of two float32 arrays (NaN payloads included, -0 distinct from 0). */
function bitsEqual(a: Float32Array, b: Float32Array): void {
  expect(a.length).toBe(b.length);
  const ua = new Uint32Array(a.buffer, a.byteOffset, a.length);
  const ub = new Uint32Array(b.buffer, b.byteOffset, b.length);
  let bad = -1;
  for (let i = 0; i < ua.length && bad < 0; i++) if (ua[i] !== ub[i]) bad = i;
  expect(bad, bad >= 0 ? `element ${bad}: ${a[bad]} vs ${b[bad]}` : '').toBe(-1);
}

/** Runs fn without the native backend's expression kernel (the rules then take the composite). */
function unfused<T>(fn: () => T): T {
  const be = backendByName('native');
  return withFusedTableSync(be, without(be, 'expression'), fn);
}

describe('compileMap', () => {
  it('writes postfix (code, argument) pairs with float32 constants, and refuses stacks deeper than 8', () => {
    const p = compileMap(op('where', op('gt', I(1), V(0)), I(0), V(0.1)))!;
    // input 1, const 0, binary gt (11), input 0, const 1, where
    expect(Array.from(p.code)).toEqual([0, 1, 1, 0, 3, 11, 0, 0, 1, 1, 4, 0]);
    expect(Array.from(p.consts)).toEqual([0, Math.fround(0.1)]);
    expect(p.inputs).toBe(2);
    expect(p.costly).toBe(false);
    expect(compileMap(op('exp', I(0)))!.costly).toBe(true);
    // a right-leaning chain of 8 adds needs 9 slots
    let deep: ElementwiseExpr = I(0);
    for (let i = 0; i < 8; i++) deep = op('add', I(0), deep);
    expect(compileMap(deep)).toBeNull();
    let left: ElementwiseExpr = I(0);
    for (let i = 0; i < 8; i++) left = op('add', left, I(0));
    expect(compileMap(left)).not.toBeNull();
  });
});

describe.skipIf(!hasNative)('fused elementwise expressions (native)', () => {
  beforeAll(() => useBackend('native'));

  // every case bit-identical here (the native build never contracts a*b+c into an FMA);
  // 3 elements (one partial block) and 300,000 (many blocks over both threads, a partial last one)
  for (const n of [3, 300_000])
    for (const [name, expr, ref] of ELEMENTWISE_CASES)
      it(`${name}, ${n} elements: equal to the ops bit for bit`, () => {
        const a = gl.tensor(awkward(n, 0));
        const b = gl.tensor(awkward(n, 3));
        const { kernel, result: got } = runsOf('expression', () => fusedMap(expr, [a, b]));
        expect(kernel).toBe(1);
        bitsEqual(got.dataSync() as Float32Array, ref(a, b).dataSync() as Float32Array);
      });

  it('takes one value broadcast to every element, and views at an offset', () => {
    const base = gl.tensor(awkward(1000, 1));
    const a = base.narrow(0, 10, 600); // dense at offset 10
    const s = gl.tensor([2.5]).reshape([1]); // broadcast: stride 0
    const expr = op('mul', I(0), I(1));
    const { kernel, result: got } = runsOf('expression', () => fusedMap(expr, [a, s]));
    expect(kernel).toBe(1);
    bitsEqual(got.dataSync() as Float32Array, gl.mul(a, 2.5).dataSync() as Float32Array);
  });

  it('takes a vector broadcast along one dim (a bias over rows, columns or channels): same values as the ops', () => {
    const z = gl.tensor(awkward(30, 3)).reshape([6, 5]);
    const row = gl.tensor(awkward(5, 1)).reshape([1, 5]);
    const col = gl.tensor(awkward(6, 2)).reshape([6, 1]);
    const x4 = gl.tensor(awkward(2 * 3 * 4 * 5, 4)).reshape([2, 3, 4, 5]);
    const bias = gl.tensor(awkward(3, 5)).reshape([3, 1, 1]);
    const addRelu = op('relu', op('add', I(0), I(1)));
    const cases: [gl.Tensor[], gl.Tensor][] = [
      [[z, row], gl.relu(gl.add(z, row))],
      [[z, col], gl.relu(gl.add(z, col))],
      [[row, z], gl.relu(gl.add(row, z))],
      [[x4, bias], gl.relu(gl.add(x4, bias))],
    ];
    for (const [inputs, want] of cases) {
      const r = runsOf('expression', () => fusedMap(addRelu, inputs));
      expect([r.kernel, r.composite]).toEqual([1, 0]);
      expect(r.result.shape).toEqual(want.shape);
      expect(Array.from(r.result.dataSync())).toEqual(Array.from(want.dataSync()));
    }
  });

  it('does not take strided inputs or other dtypes: the composite runs, same values', () => {
    const neg = op('neg', I(0));
    const t = gl.tensor(awkward(30, 2)).reshape([5, 6]).transpose(0, 1);
    const cases: [ElementwiseExpr, gl.Tensor[], gl.Tensor][] = [
      [neg, [t], gl.neg(t)],
      [neg, [gl.tensor(new Float64Array([1, 2]))], gl.tensor(new Float64Array([-1, -2]))],
      [neg, [gl.tensor(Int32Array.from([1, 2]))], gl.tensor(Int32Array.from([-1, -2]))],
    ];
    for (const [expr, inputs, want] of cases) {
      const r = runsOf('expression', () => fusedMap(expr, inputs));
      expect([r.kernel, r.composite]).toEqual([0, 1]);
      expect(r.result.dtype).toBe(want.dtype);
      expect(r.result.shape).toEqual(want.shape);
      expect(Array.from(r.result.dataSync())).toEqual(Array.from(want.dataSync()));
    }
  });

  for (const [name, f] of [
    ['relu', gl.relu],
    ['sigmoid', gl.sigmoid],
    ['tanh', gl.tanh],
  ] as const)
    it(`${name}'s backward runs fused and equals the rule's op sequence bit for bit`, () => {
      const run = () => {
        const x = gl.tensor(awkward(5000, 1)).reshape([50, 100]).requiresGrad_();
        const g = gl.tensor(awkward(5000, 4)).reshape([50, 100]);
        f(x).backward(g);
        return x.grad!.dataSync() as Float32Array;
      };
      const { kernel, result: fused } = runsOf('expression', run);
      expect(kernel).toBe(1);
      const ref = runsOf('expression', () => unfused(run));
      expect([ref.kernel, ref.composite]).toEqual([0, 1]);
      bitsEqual(fused, ref.result);
    });
});
