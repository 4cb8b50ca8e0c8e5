// The 12-bit task of paper 38 as a synthetic data set: all 4096 binary patterns, a documented rotation-invariant label rule.

/** The label rule's threshold: p(y = 1) = 2053/4096 ≈ 0.501 with it. */
export const TWELVE_BIT_THRESHOLD = 5.5;

/**
 * The rule's score of a 12-bit pattern: |Σ_j x_j·e^{2πij/12}|² + popcount(x)/2 — the squared first Fourier
 * coefficient of the bits placed on a circle, plus half their count; invariant under cyclic rotation of the bits.
 * @example
 * gl.lab.info.twelveBitScore([1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0]); // 17.93: above the threshold 5.5
 * gl.lab.info.twelveBitScore([1, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1, 0]); // 3 (= 0 + 6/2): below it
 */
export function twelveBitScore(bits: readonly number[]): number {
  let re = 0;
  let im = 0;
  let pop = 0;
  for (let j = 0; j < 12; j++) {
    re += bits[j] * Math.cos((2 * Math.PI * j) / 12);
    im += bits[j] * Math.sin((2 * Math.PI * j) / 12);
    pop += bits[j];
  }
  return re * re + im * im + pop / 2;
}

/** The 12-bit task's data. */
export interface TwelveBitTask {
  /** The inputs, 4096 × 12 zeros and ones, row-major. */
  x: Float64Array;
  /** The labels, 0 or 1. */
  y: Int32Array;
  /** 4096. */
  rows: number;
  /** 12. */
  cols: number;
}

/**
 * All 2¹² = 4096 binary inputs (bit j of pattern i is (i >> j) & 1) with labels y = [score(x) ≥ 5.5]
 * (`twelveBitScore`): a rotation-invariant rule with p(y = 1) ≈ 0.5, standing in for the paper's `var_u.mat`
 * (a spherically symmetric rule on 12 points, not available here).
 * @example const { x, y } = gl.lab.info.twelveBitTask(); // x: 4096×12 (0/1, row-major), y: 4096 labels
 */
export function twelveBitTask(): TwelveBitTask {
  const rows = 4096;
  const x = new Float64Array(rows * 12);
  const y = new Int32Array(rows);
  for (let i = 0; i < rows; i++) {
    const bits: number[] = [];
    for (let j = 0; j < 12; j++) {
      bits.push((i >> j) & 1);
      x[i * 12 + j] = bits[j];
    }
    // rounded: the rule's score is compared at 1e-9 so that floating-point error cannot move a label
    y[i] = Math.round(twelveBitScore(bits) * 1e9) / 1e9 >= TWELVE_BIT_THRESHOLD ? 1 : 0;
  }
  return { x, y, rows, cols: 12 };
}
