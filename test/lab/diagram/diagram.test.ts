// gl.lab.diagram: FLOPs of Linear/Conv2d/attention against their formulas, saved bytes against gl.savedResiduals and the memory counter, axes, SVG, bad input.
import { describe, expect, it } from 'vitest';
import * as gl from '../../../src/index.js';

const total = (d: gl.lab.Diagram, kind?: gl.lab.FlopKind): { f: number; b: number } => {
  const ops = d.ops.filter((o) => kind === undefined || o.flops.kind === kind);
  return {
    f: ops.reduce((a, o) => a + o.flops.forward!, 0),
    b: ops.reduce((a, o) => a + o.flops.backward!, 0),
  };
};

describe('gl.lab.diagram FLOPs', () => {
  it('Linear: 2mkn + mn forward; backward 2mkn + mn without dX, 4mkn + mn with it (fused and unfused alike)', () => {
    gl.manualSeed(1);
    const [m, k, n] = [5, 7, 3];
    for (const fusion of [true, false]) {
      const was = gl.nn.setLayerFusion(fusion);
      try {
        const lin = new gl.nn.Linear(k, n);
        const noDx = gl.lab.diagram(lin, [gl.randn([m, k])]);
        expect(total(noDx)).toEqual({ f: 2 * m * k * n + m * n, b: 2 * m * k * n + m * n });
        const withDx = gl.lab.diagram(lin, [gl.randn([m, k])], { inputsRequireGrad: true });
        expect(total(withDx)).toEqual({ f: 2 * m * k * n + m * n, b: 4 * m * k * n + m * n });
      } finally {
        gl.nn.setLayerFusion(was);
      }
    }
  });

  it('Conv2d: 2·N·O·OH·OW·C·K² (+ bias) forward, the same per input needing a gradient backward', () => {
    gl.manualSeed(2);
    const [N, C, H, W, O, K] = [2, 3, 6, 5, 4, 3];
    const conv = new gl.nn.Conv2d(C, O, K, { padding: 1, stride: 2 });
    const OH = Math.floor((H + 2 - K) / 2) + 1;
    const OW = Math.floor((W + 2 - K) / 2) + 1;
    const outN = N * O * OH * OW;
    const mac2 = 2 * outN * C * K * K;
    const d = gl.lab.diagram(conv, [gl.randn([N, C, H, W])], { axisNames: [['batch', 'c', 'h', 'w']] });
    expect(total(d)).toEqual({ f: mac2 + outN, b: mac2 + outN });
    const dx = gl.lab.diagram(conv, [gl.randn([N, C, H, W])], { inputsRequireGrad: true });
    expect(total(dx)).toEqual({ f: mac2 + outN, b: 2 * mac2 + outN });
    const out = d.ops[d.ops.length - 1].outputs[0];
    expect(out.shape).toEqual([N, O, OH, OW]);
    expect(out.axes).toEqual(['batch', null, 'h', 'w']);
  });

  it('single-head attention: projections 8nd², scores and mixing 2n²d each; the n×n wires are named [seq, seq]', () => {
    gl.manualSeed(3);
    const [n, dm] = [6, 4];
    const mha = new gl.nn.MultiheadAttention(dm, 1, { batchFirst: true });
    const x = gl.randn([1, n, dm]);
    const d = gl.lab.diagram((t: gl.Tensor) => mha.forward(t, t, t)[0], [x], {
      module: mha,
      axisNames: [['batch', 'seq', 'd']],
    });
    const contractions = d.ops.filter((o) => o.flops.kind === 'contraction');
    expect(contractions.reduce((a, o) => a + o.flops.forward!, 0)).toBe(8 * n * dm * dm + 4 * n * n * dm);
    const square = contractions.filter((o) => o.outputs[0].shape.slice(-2).join() === `${n},${n}`);
    expect(square).toHaveLength(1);
    expect(square[0].flops.forward).toBe(2 * n * n * dm);
    expect(square[0].outputs[0].axes.slice(-2)).toEqual(['seq', 'seq']);
    const softmax = d.ops.find((o) => o.op === 'softmax')!;
    expect(softmax.savedBytes).toBe(n * n * 4); // softmax keeps its float32 output [1, 1, n, n]
  });

  it('ops without a rule give null FLOPs and are listed as uncounted; unknown names never match Object members', () => {
    const f = gl.customGrad({
      name: 'myOp',
      forward: (_ctx, a: gl.Tensor) => gl.mul(a, 2),
      backward: (_ctx, g: gl.Tensor) => [gl.mul(g, 2)],
    });
    const d = gl.lab.diagram((t: gl.Tensor) => f(t), [gl.randn([3])], { inputsRequireGrad: true });
    expect(d.ops[0].flops).toEqual({ forward: null, backward: null, kind: 'unknown', exact: false });
    expect(d.totals.uncounted).toEqual(['myOp']);
    expect(
      gl.lab.flopsOf('constructor', { params: null, inputShapes: [], outputShapes: [], needs: [] }).kind,
    ).toBe('unknown');
  });
});

describe('gl.lab.diagram saved bytes', () => {
  const models = (): [string, gl.nn.Module, gl.Tensor][] => [
    ['MLP', gl.train.buildModel('mlp', [1, 6, 6], 4), gl.randn([5, 1, 6, 6])],
    ['CNN', gl.train.buildModel('cnn', [1, 8, 8], 3), gl.randn([2, 1, 8, 8])],
    [
      'LayerNorm + attention',
      new gl.nn.TransformerEncoderLayer(8, 2, { dimFeedforward: 16, dropout: 0, batchFirst: true }),
      gl.randn([2, 5, 8]),
    ],
  ];

  it('per-op saved bytes add up to gl.savedResiduals and to the memory counter of the same forward', () => {
    gl.manualSeed(4);
    for (const [name, model, x] of models()) {
      // the engine's counter first, while no other graph holds this model's storages (it counts each once)
      const before = gl.memory().savedBytes;
      const y = model.forward(x);
      const counted = gl.memory().savedBytes - before;
      const d = gl.lab.diagram(model, [x]);
      expect(
        d.ops.reduce((a, o) => a + o.savedBytes, 0),
        name,
      ).toBe(d.totals.savedBytes);
      expect(d.totals.savedBytes, name).toBe(
        gl.savedResiduals((t: gl.Tensor) => model.forward(t), x).totalBytes,
      );
      expect(d.totals.savedBytes, name).toBe(counted);
      expect(y.shape.length).toBeGreaterThan(0);
    }
  });

  it('the first Linear saves only its input when the input needs no gradient, and its weight too when it does', () => {
    gl.manualSeed(5);
    const lin = new gl.nn.Linear(7, 3);
    const x = gl.randn([5, 7]);
    expect(gl.lab.diagram(lin, [x]).totals.savedBytes).toBe(5 * 7 * 4);
    expect(gl.lab.diagram(lin, [x], { inputsRequireGrad: true }).totals.savedBytes).toBe(
      5 * 7 * 4 + 3 * 7 * 4,
    );
  });
});

describe('gl.lab.diagram rendering', () => {
  it('names modules, carries axis names through the MLP, and draws one box per op with its wire labels', () => {
    gl.manualSeed(6);
    const mlp = new gl.nn.Sequential(new gl.nn.Linear(6, 5), new gl.nn.ReLU(), new gl.nn.Linear(5, 2));
    const d = gl.lab.diagram(mlp, [gl.randn([3, 6])], { axisNames: [['batch', 'feature']] });
    const boxes = d.ops.filter((o) => !o.folded);
    expect(boxes.map((o) => o.scope)).toEqual(['0', '2']);
    expect(boxes.every((o) => o.learned)).toBe(true);
    expect(boxes[1].outputs[0].axes).toEqual(['batch', null]);
    const svg = d.toSVG();
    expect(svg.startsWith('<svg')).toBe(true);
    expect(svg.match(/<g class="op"/g)).toHaveLength(boxes.length);
    for (const o of boxes)
      for (const x of o.inputs.filter((i) => i.label === '' || i.from.kind === 'input'))
        expect(svg).toContain(gl.lab.wireLabel(x.shape, x.axes).replace(/&/g, '&amp;'));
    expect(svg).toContain('[batch 3, feature 6]');
    expect(svg).toContain('0 Linear');
    expect(d.toString()).toContain('matmulEpilogue');
  });
});

describe('gl.lab.diagram bad input', () => {
  const lin = new gl.nn.Linear(2, 2);
  it('names what was expected and what came', () => {
    expect(() => gl.lab.diagram(42 as never, [gl.randn([1, 2])])).toThrow(
      /expected a Module or a function.*got number/,
    );
    expect(() => gl.lab.diagram(lin, [[1, 2] as never])).toThrow(
      /example input 0 must be a Tensor, got an array/,
    );
    expect(() => gl.lab.diagram(lin, [])).toThrow(gl.ArgumentError);
    expect(() => gl.lab.diagram(lin, [gl.randn([1, 2])], { axisNames: [['batch']] })).toThrow(
      /axisNames\[0\] must name each of the 2 axes of input 0 \[1, ?2\]/,
    );
    expect(() => gl.lab.diagram(lin, [gl.randn([1, 2])], { axisNames: [] })).toThrow(
      /one entry per example input \(1\), got 0/,
    );
    expect(() => gl.lab.diagram(() => 3, [gl.randn([1])])).toThrow(/returned no tensor/);
  });
});
