// The recipes' image-data policy: the first installed set of the policy, input sizes read from the data,
// fallbacks named, and a forced set checked against the policy.
import { describe, expect, it } from 'vitest';
import * as gl from '../../../src/index.js';

const R = gl.recipes;

describe('imageData', () => {
  it('uses the first installed set of the policy and says when it is a fallback', () => {
    const policy = ['fashion-mnist', 'mnist-10k', 'embedded'] as const;
    const d = R.imageData({ policy, nTrain: 20, nTest: 10 });
    const expected = policy.find(R.imageSourceAvailable)!;
    expect(d.name).toBe(expected);
    expect(d.fallback).toBe(expected !== 'fashion-mnist');
    expect(d.inputSize).toBe(d.shape[0] * d.shape[1] * d.shape[2]);
    expect(d.train.x.shape[0]).toBe(20);
    expect(d.provenance.files.every((f) => /^[0-9a-f]{64}$/.test(f.sha256))).toBe(true);
  });

  it('adapts to the embedded 8×8 digits: 64 inputs, classes relabelled 0..k−1', () => {
    const d = R.imageData({
      policy: ['fashion-mnist', 'embedded'],
      nTrain: 30,
      nTest: 10,
      classes: [5, 6],
      force: 'embedded',
    });
    expect(d).toMatchObject({ name: 'embedded', fallback: true, shape: [1, 8, 8], inputSize: 64 });
    expect(d.provenance.fallbackFor).toBe('fashion-mnist');
    expect(new Set(d.train.y.dataSync())).toEqual(new Set([0, 1]));
  });

  it('refuses a forced set outside the policy and an empty policy', () => {
    expect(() => R.imageData({ policy: ['embedded'], nTrain: 1, nTest: 1, force: 'cifar10' })).toThrow(
      /not in this recipe's policy/,
    );
    expect(() => R.imageData({ policy: [], nTrain: 1, nTest: 1 })).toThrow(gl.ArgumentError);
  });

  it('treats the sets GRADLAB_DATA_MISSING names as not installed: Fashion-MNIST missing → the embedded digits, 64 inputs', () => {
    const before = process.env[R.DATA_MISSING_ENV];
    try {
      process.env[R.DATA_MISSING_ENV] = 'fashion-mnist';
      expect(R.imageSourceAvailable('fashion-mnist')).toBe(false);
      const d = R.imageData({ policy: ['fashion-mnist', 'embedded'], nTrain: 12, nTest: 6 });
      expect(d).toMatchObject({ name: 'embedded', fallback: true, inputSize: 64 });
      expect(d.provenance.fallbackFor).toBe('fashion-mnist');
      process.env[R.DATA_MISSING_ENV] = 'fashion-mnist, cifar';
      expect(() => R.imageSourceAvailable('embedded')).toThrow(
        /GRADLAB_DATA_MISSING: expected .* got 'cifar'/,
      );
    } finally {
      if (before === undefined) delete process.env[R.DATA_MISSING_ENV];
      else process.env[R.DATA_MISSING_ENV] = before;
    }
  });
});

describe('flatImageTask', () => {
  it('flattens the first installed set of the policy, reads the input width from it, and names a fallback', () => {
    const t = R.flatImageTask({
      policy: ['fashion-mnist', 'embedded'],
      nTrain: 16,
      nTest: 8,
      force: 'embedded',
    });
    expect(t.inputSize).toBe(64);
    expect(t.train.x.shape).toEqual([16, 64]);
    expect(t.test.x.shape).toEqual([8, 64]);
    expect(t.task).toEqual({ inputShape: [64], outputs: 10, kind: 'classification' });
    expect(t.data.provenance.fallbackFor).toBe('fashion-mnist');
    // a transform runs before flattening: 8×8 pooled by 2 → 16 features
    const pooled = R.flatImageTask({
      policy: ['embedded'],
      nTrain: 4,
      nTest: 4,
      transform: (x) => gl.avgPool2d(x, 2),
    });
    expect(pooled.inputSize).toBe(16);
    expect(pooled.data.fallback).toBe(false);
  });
});
