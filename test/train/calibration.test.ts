// Calibration metrics (gl.train.calibration, ECE / NLL / AURC metrics) against PS-KD's utils/metric.py in PyTorch.
// Fixtures: test/fixtures/torch/pskd.json ("calibration"), written by test/fixtures/generate_pskd_fixtures.py.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import * as gl from '../../src/index.js';

interface Calib {
  logits: number[];
  labels: number[];
  classes: number;
  ece: number;
  nll: number;
  aurc: number;
  accuracy: number;
  bins: { count: number; confidence?: number; accuracy?: number }[];
}
const fx = (
  JSON.parse(readFileSync(new URL('../fixtures/torch/pskd.json', import.meta.url), 'utf8')) as {
    calibration: Calib;
  }
).calibration;
const M = fx.labels.length;
const logits = gl.tensor(fx.logits, { shape: [M, fx.classes] });
const labels = gl.tensor(fx.labels, { dtype: 'int32' });

describe('gl.train.calibration', () => {
  it('ECE, NLL, AURC, accuracy and the reliability bins equal the PyTorch reference', async () => {
    const r = await gl.train.calibration(logits, labels);
    expect(r.ece).toBeCloseTo(fx.ece, 5);
    expect(r.nll).toBeCloseTo(fx.nll, 5);
    expect(r.aurc).toBeCloseTo(fx.aurc, 6);
    expect(r.accuracy).toBeCloseTo(fx.accuracy, 6); // torch takes the mean in float32;
    expect(r.reliability.map((b) => b.count)).toEqual(fx.bins.map((b) => b.count));
    r.reliability.forEach((b, i) => {
      if (b.count === 0) return expect(b.confidence).toBeNaN();
      expect(b.confidence).toBeCloseTo(fx.bins[i].confidence!, 5);
      expect(b.accuracy).toBeCloseTo(fx.bins[i].accuracy!, 6);
    });
    expect(r.reliability[3]).toMatchObject({ lo: 0.3, hi: 0.4 });
  });

  it('the epoch metrics over batches equal the whole-set values', async () => {
    const metrics = gl.train.resolveMetrics(['ece', 'nll', 'aurc']);
    for (const [s, n] of [
      [0, 70],
      [70, 70],
      [140, M - 140],
    ])
      for (const m of metrics) await m.update(logits.narrow(0, s, n), labels.narrow(0, s, n), gl.tensor(0));
    const [ece, nll, aurc] = metrics.map((m) => m.compute());
    expect(ece).toBeCloseTo(fx.ece, 5);
    expect(nll).toBeCloseTo(fx.nll, 5);
    expect(aurc).toBeCloseTo(fx.aurc, 6);
    const saved = metrics.map((m) => JSON.parse(JSON.stringify(m.state())));
    metrics.forEach((m, i) => {
      m.reset();
      expect(m.compute()).toBeNaN();
      m.loadState(saved[i]);
    });
    expect(metrics[0].compute()).toBeCloseTo(fx.ece, 5);
    expect((metrics[0] as gl.train.ExpectedCalibrationError).reliability().map((b) => b.count)).toEqual(
      fx.bins.map((b) => b.count),
    );
  });

  it('a perfectly calibrated toy has ECE 0 and a confidently wrong one has ECE = its confidence', async () => {
    // two classes, logits (0, 0): confidence 0.5, one of two right → bin (0.4, 0.5] accuracy 0.5
    const half = await gl.train.calibration(
      gl.tensor([
        [0, 0],
        [0, 0],
      ]),
      gl.tensor([0, 1], { dtype: 'int32' }),
    );
    expect(half.ece).toBe(0);
    const wrong = await gl.train.calibration(
      gl.tensor([[Math.log(9), 0]]),
      gl.tensor([1], { dtype: 'int32' }),
    );
    expect(wrong.ece).toBeCloseTo(0.9, 6); // softmax in float32
    expect(wrong.aurc).toBe(1);
  });

  it('rejects bad input with named errors', async () => {
    await expect(gl.train.calibration(logits, labels, { bins: 0 })).rejects.toThrow(gl.ArgumentError);
    await expect(gl.train.calibration(logits, labels.float())).rejects.toThrow(/int32 labels/);
    await expect(
      gl.train.calibration(gl.tensor([[1, 2]]), gl.tensor([5], { dtype: 'int32' })),
    ).rejects.toThrow(/out of range/);
    expect(() => new gl.train.ExpectedCalibrationError(0)).toThrow(gl.ArgumentError);
  });
});
