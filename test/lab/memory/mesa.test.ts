// Mesa: 8-bit per-group quantization of saved activations (error bounds, unbiased stochastic rounding,
// head-wise groups), 16-bit storage, exact forward, what stays exact, bytes, and applyMesa.
import { describe, expect, it } from 'vitest';
import * as gl from '../../../src/index.js';

const M = gl.lab.memory;

// one run per round trip: inside a run, a tensor saved twice is packed once
function roundTrip(m: gl.lab.memory.Mesa, t: gl.Tensor): gl.Tensor {
  return m.unpack(m.run(() => m.pack(t)));
}

function relErr(a: gl.Tensor, b: gl.Tensor): number {
  const x = a.dataSync();
  const y = b.dataSync();
  let num = 0;
  let den = 0;
  for (let i = 0; i < x.length; i++) {
    num += (x[i] - y[i]) ** 2;
    den += y[i] ** 2;
  }
  return Math.sqrt(num / den);
}

// an intermediate (produced by an op) so that Mesa compresses it
const act = (shape: number[], seed = 0) => {
  gl.manualSeed(seed);
  return gl.randn(shape).requiresGrad_().mul(1);
};

describe('lab.memory.mesa: 8 bits', () => {
  it('rounding to nearest stays within half a level of each group range', () => {
    const x = act([6, 10]);
    const m = M.mesa({ stochastic: false, emaDecay: 0 });
    const xs = x.dataSync();
    const ys = roundTrip(m, x).dataSync();
    for (let c = 0; c < 10; c++) {
      const col = [0, 1, 2, 3, 4, 5].map((r) => xs[r * 10 + c]);
      const step = (Math.max(...col) - Math.min(...col)) / 255;
      for (let r = 0; r < 6; r++)
        expect(Math.abs(ys[r * 10 + c] - xs[r * 10 + c])).toBeLessThanOrEqual(step / 2 + 1e-6);
    }
  });

  it('stochastic rounding is unbiased: the mean of 2000 dequantizations is within 0.05 LSB', () => {
    // threshold from the paper notes (02 Mesa, small-scale assertion d)
    const x = act([4, 16], 3);
    const m = M.mesa({ emaDecay: 0, seed: 11 });
    const acc = new Float64Array(x.numel);
    for (let k = 0; k < 2000; k++) {
      const y = roundTrip(m, x).dataSync();
      for (let i = 0; i < y.length; i++) acc[i] += y[i] / 2000;
    }
    const xs = x.dataSync();
    for (let c = 0; c < 16; c++) {
      const col = [0, 1, 2, 3].map((r) => xs[r * 16 + c]);
      const lsb = (Math.max(...col) - Math.min(...col)) / 255;
      for (let r = 0; r < 4; r++) expect(Math.abs(acc[r * 16 + c] - xs[r * 16 + c])).toBeLessThan(0.05 * lsb);
    }
  });

  it('the same seed gives the same packed bytes', () => {
    const x = act([8, 8]);
    const a = M.mesa({ seed: 5 }).pack(x) as { q: Uint8Array };
    const b = M.mesa({ seed: 5 }).pack(x) as { q: Uint8Array };
    const c = M.mesa({ seed: 6 }).pack(x) as { q: Uint8Array };
    expect(Array.from(a.q)).toEqual(Array.from(b.q));
    expect(Array.from(a.q)).not.toEqual(Array.from(c.q));
  });

  it('head-wise groups beat one group when head scales differ 10×: gradient error ≤ 0.7×', () => {
    // the paper notes' assertion (c), on the attention score product q·kᵀ of [B, H, N, D] tensors:
    // k's gradient reads the saved q, whose heads are scaled 0.3, 1, 3 and 0.3
    gl.manualSeed(2);
    const x = gl.randn([2, 4, 6, 8]).requiresGrad_();
    const k0 = gl.randn([2, 4, 6, 8]).requiresGrad_();
    const headScale = gl.tensor([0.3, 1, 3, 0.3]).reshape([1, 4, 1, 1]);
    const w = gl.randn([2, 4, 6, 6]);
    const block = () => {
      const q = x.mul(headScale);
      const k = k0.mul(1);
      return q.matmul(k.transpose(-1, -2)).mul(w).sum();
    };
    const grad = (policy: gl.lab.memory.Mesa | null) => {
      k0.grad = null;
      (policy ? policy.run(block) : block()).backward();
      return k0.grad!;
    };
    const exact = grad(null);
    const perHead = relErr(grad(M.mesa({ stochastic: false, emaDecay: 0 })), exact);
    const oneGroup = relErr(grad(M.mesa({ stochastic: false, emaDecay: 0, groups: 1 })), exact);
    expect(perHead).toBeGreaterThan(0);
    expect(perHead).toBeLessThanOrEqual(0.7 * oneGroup);
  });

  it('running estimates: the range moves toward new tensors by (1 − λ) per step', () => {
    const m = M.mesa({ stochastic: false, emaDecay: 0.9 });
    const a = act([4, 4])
      .mul(0)
      .add(gl.tensor([0, 1, 2, 3])); // each column constant... range 0
    m.run(() =>
      m.pack(
        gl
          .tensor([[0], [1]])
          .requiresGrad_()
          .mul(1)
          .expand([2, 64])
          .contiguous(),
      ),
    );
    // second call at the same site with range [0, 2]: clip = 0.9·1 + 0.1·2 = 1.1
    const p = m.run(
      () =>
        m.pack(
          gl
            .tensor([[0], [2]])
            .requiresGrad_()
            .mul(1)
            .expand([2, 64])
            .contiguous(),
        ) as { scale: Float32Array },
    );
    expect(p.scale[0]).toBeCloseTo(255 / 1.1, 3);
    expect(a.numel).toBe(16);
  });

  it('forward stays exact; backward reads approximations; params and leaves stay exact', () => {
    gl.manualSeed(0);
    const net = new gl.nn.Sequential(new gl.nn.Linear(16, 32), new gl.nn.GELU(), new gl.nn.Linear(32, 4));
    const x = gl.randn([8, 16]);
    const plainOut = net.forward(x) as gl.Tensor;
    const policy = M.mesa();
    const tl = M.profile(() => {
      const out = policy.run(() => net.forward(x) as gl.Tensor);
      expect(Array.from(out.dataSync())).toEqual(Array.from(plainOut.dataSync()));
      out.sum().backward();
    });
    const saves = tl.events.filter((e) => e.kind === 'save');
    // x (a leaf) and W2ᵀ (a parameter view) are held whole; the [8, 32] activations in 8 bits
    // (Linear's matmul and bias run as one fused 'matmulEpilogue' node: gl.nn.setLayerFusion)
    const whole = saves.filter((e) => e.op === 'matmulEpilogue' && e.shape[1] !== 32);
    expect(whole.length).toBeGreaterThan(0);
    for (const e of whole) expect(e.packedBytes).toBe(e.bytes);
    const acts = saves.filter((e) => e.shape.join() === '8,32');
    expect(acts.length).toBeGreaterThan(1);
    // 8·32 one-byte levels plus a float32 scale and shift per channel
    for (const e of acts) expect(e.packedBytes).toBe(8 * 32 + 32 * 8);
    expect(policy.stats.compressed).toBeGreaterThan(0);
  });

  it('cuts saved bytes to about a quarter on activations, seen by the profiler', () => {
    gl.manualSeed(0);
    const x = gl.randn([64, 64]).requiresGrad_();
    const f = () => x.mul(1).tanh().mul(x.mul(2).sigmoid()).sum();
    const plain = M.profile(() => f().backward());
    const m8 = M.profile(() => M.mesa().run(f).backward());
    const m16 = M.profile(() => M.mesa({ bits: 16 }).run(f).backward());
    expect(m8.peak.bytes / plain.peak.bytes).toBeLessThan(0.3);
    expect(m16.peak.bytes / plain.peak.bytes).toBeLessThan(0.51); // + exact scalar constants
    expect(m8.events.some((e) => e.packed && e.packedBytes < e.bytes / 3)).toBe(true);
  });

  it('rejects bad options', () => {
    expect(() => M.mesa({ bits: 4 as never })).toThrow(gl.ArgumentError);
    expect(() => M.mesa({ emaDecay: 1 })).toThrow(gl.ArgumentError);
    expect(() => M.mesa({ groups: 3 }).pack(act([8, 8]))).toThrow(/3 groups do not divide dim 1 of size 8/);
  });
});

describe('lab.memory.mesa: 16 bits and applyMesa', () => {
  it('float16 and bfloat16 encodings match reference bit patterns', () => {
    // float16 reference bits from numpy 1.x astype(float16) (IEEE binary16, round to nearest even)
    const f16: [number, number][] = [
      [1, 0x3c00],
      [65504, 0x7bff],
      [2 ** -24, 0x0001],
      [0.1, 0x2e66],
      [65520, 0x7c00],
      [-2.5, 0xc100],
      [1e-5, 0x00a8],
      [3.14159, 0x4248],
    ];
    for (const [v, bits] of f16) expect(M.f32ToF16(v)).toBe(bits);
    for (const [, bits] of f16.slice(0, 4)) expect(M.f32ToF16(M.f16ToF32(bits))).toBe(bits);
    // bfloat16 is the top half of float32: 1 → 0x3f80, -2 → 0xc000, π rounds to 0x4049
    expect(M.f32ToBf16(1)).toBe(0x3f80);
    expect(M.f32ToBf16(-2)).toBe(0xc000);
    expect(M.f32ToBf16(Math.PI)).toBe(0x4049);
    expect(M.bf16ToF32(0x4049)).toBe(3.140625);
  });

  it('16-bit round trips stay within the format precision', () => {
    const x = act([8, 8]);
    for (const [format16, rel] of [
      ['bfloat16', 2 ** -8],
      ['float16', 2 ** -11],
    ] as const) {
      const y = roundTrip(M.mesa({ bits: 16, format16 }), x).dataSync();
      const xs = x.dataSync();
      for (let i = 0; i < xs.length; i++)
        expect(Math.abs(y[i] - xs[i])).toBeLessThanOrEqual(rel * Math.abs(xs[i]));
    }
  });

  it('applyMesa switches a model in one line; undo restores it', () => {
    gl.manualSeed(0);
    const net = new gl.nn.Sequential(new gl.nn.Linear(16, 64), new gl.nn.ReLU(), new gl.nn.Linear(64, 4));
    const x = gl.randn([32, 16]);
    const step = () => M.profile(() => (net.forward(x) as gl.Tensor).sum().backward()).peak.bytes;
    const plain = step();
    const { policy, undo } = M.applyMesa(net, { bits: 8 });
    const packed = step();
    expect(policy.stats.compressed).toBeGreaterThan(0);
    expect(packed).toBeLessThan(plain);
    undo();
    expect(step()).toBe(plain);
  });
});
