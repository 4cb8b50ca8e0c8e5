// gl.train.DANN / fitDann: the domain loss, the reversed feature gradient (−λ × the plain one), the schedule's progress, errors.
import { describe, expect, it } from 'vitest';
import * as gl from '../../src/index.js';

function tiny(): gl.train.DANN {
  gl.manualSeed(1);
  return new gl.train.DANN({
    features: new gl.nn.Sequential(new gl.nn.Linear(2, 4), new gl.nn.Tanh()),
    labelHead: new gl.nn.Linear(4, 2),
    domainHead: new gl.nn.Linear(4, 2),
  });
}

const xs = gl.tensor([
  [0.1, 0.2],
  [-0.3, 0.5],
  [0.7, -0.1],
]);
const ys = gl.tensor([0, 1, 1], { dtype: 'int32' });
const xt = gl.tensor([
  [0.4, 0.4],
  [-0.2, -0.6],
  [0.0, 0.9],
]);

describe('DANN', () => {
  it('losses: label CE + w · [CE(G_d(f_s), 0) + CE(G_d(f_t), 1)]', () => {
    const m = tiny();
    const { label, domain, total } = m.losses(xs, ys, xt, { lambda: 0.5, domainWeight: 2 });
    const f = (x: gl.Tensor) => m.features.forward(x) as gl.Tensor;
    const wantLabel = gl.crossEntropy(m.labelHead.forward(f(xs)) as gl.Tensor, ys).item();
    const wantDomain =
      gl.crossEntropy(m.domainHead.forward(f(xs)) as gl.Tensor, gl.zeros([3], { dtype: 'int32' })).item() +
      gl.crossEntropy(m.domainHead.forward(f(xt)) as gl.Tensor, gl.ones([3], { dtype: 'int32' })).item();
    expect(label.item()).toBeCloseTo(wantLabel, 6);
    expect(domain!.item()).toBeCloseTo(wantDomain, 6);
    expect(total.item()).toBeCloseTo(wantLabel + 2 * wantDomain, 5);
    expect(m.forward(xs).shape).toEqual([3, 2]);
  });

  it("the domain term's feature gradient is −λ × its plain gradient; the domain head's is unchanged", () => {
    const m = tiny();
    m.double();
    const [a, b] = [xs.double(), xt.double()];
    const lambda = 0.37;
    const fp = m.features.parameters();
    const dp = m.domainHead.parameters();
    const reversed = gl.grad([m.losses(a, ys, b, { lambda }).domain!], [...fp, ...dp]);
    const plainLoss = gl
      .crossEntropy(
        m.domainHead.forward(m.features.forward(a)) as gl.Tensor,
        gl.zeros([3], { dtype: 'int32' }),
      )
      .add(
        gl.crossEntropy(
          m.domainHead.forward(m.features.forward(b)) as gl.Tensor,
          gl.ones([3], { dtype: 'int32' }),
        ),
      );
    const plain = gl.grad([plainLoss], [...fp, ...dp]);
    reversed.forEach((g, i) => {
      const want = i < fp.length ? plain[i]!.mul(-lambda) : plain[i]!;
      expect(gl.sub(g!, want).abs().max().item()).toBeLessThan(1e-12);
    });
    expect(plain[0]!.abs().max().item()).toBeGreaterThan(1e-3); // the check is not vacuous
  });

  it('fitDann: λ and lr get progress step / total; source-only leaves the domain head alone; same seed, same run', async () => {
    const { source, target } = gl.data.transMoons(24, { seed: 0 });
    const seen: number[] = [];
    const m = tiny();
    const hist = await gl.train.fitDann(m, {
      source,
      target: target.x,
      optimizer: new gl.optim.SGD(m.parameters(), { lr: 0.1 }),
      epochs: 2,
      batch: 8,
      lambda: (p) => (seen.push(p), gl.nn.dannLambda(p)),
    });
    expect(hist.steps).toBe(6);
    expect(seen).toEqual([0, 1, 2, 3, 4, 5].map((s) => s / 6));
    expect(hist.label.length).toBe(2);
    expect(hist.domain.length).toBe(2);
    const run = async () => {
      const s = tiny();
      const before = s.domainHead.parameters().map((p) => p.toArray());
      const opt = new gl.optim.SGD(s.parameters(), { lr: 0.1 });
      const h = await gl.train.fitDann(s, {
        source,
        optimizer: opt,
        epochs: 1,
        batch: 8,
        domainWeight: 0,
        lr: (p) => 0.1 * (1 - p),
      });
      expect(s.domainHead.parameters().map((p) => p.toArray())).toEqual(before);
      expect(opt.paramGroups[0].lr).toBeCloseTo(0.1 * (1 - 2 / 3), 12);
      return h.label;
    };
    expect(await run()).toEqual(await run());
  });

  it('bad input is an ArgumentError', async () => {
    const m = tiny();
    const opt = new gl.optim.SGD(m.parameters(), { lr: 0.1 });
    const source = { x: xs, y: ys };
    await expect(gl.train.fitDann(m, { source, target: xt, optimizer: opt, epochs: 0 })).rejects.toThrow(
      /epochs/,
    );
    await expect(
      gl.train.fitDann(m, { source, target: xt, optimizer: opt, epochs: 1, batch: 4 }),
    ).rejects.toThrow(/batch/);
    await expect(gl.train.fitDann(m, { source, optimizer: opt, epochs: 1, batch: 2 })).rejects.toThrow(
      /target/,
    );
    expect(() => m.losses(xs, ys, xt, { lambda: 1, domainWeight: -1 })).toThrow(gl.ArgumentError);
    expect(() => new gl.train.DANN({ features: m.features, labelHead: m.labelHead } as never)).toThrow(
      /domainHead/,
    );
  });
});
