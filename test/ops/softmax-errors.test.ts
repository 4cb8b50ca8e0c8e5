// softmax names itself in its errors (it is built on logSoftmax, whose name must not leak into them).
import { describe, expect, it } from 'vitest';
import * as gl from '../../src/index.js';

describe('softmax errors', () => {
  it('a bad dim is reported as softmax, with the range expected', () => {
    const x = gl.tensor([[1, 2, 3]]);
    expect(() => gl.softmax(x, 2)).toThrow(gl.IndexOutOfRangeError);
    expect(() => gl.softmax(x, 2)).toThrow(
      'softmax: dim 2 out of range for a tensor of rank 2 (expected -2..1)',
    );
    expect(() => x.softmax(-3)).toThrow(/^softmax: dim -3 out of range/);
    expect(() => gl.softmax(x, 0.5)).toThrow('softmax: dim must be an integer, got 0.5');
    expect(() => gl.logSoftmax(x, 2)).toThrow(/^logSoftmax: dim 2/);
  });
});
