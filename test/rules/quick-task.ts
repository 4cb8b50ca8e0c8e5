// Test helper for the learning rules: a short training run on the embedded digits and its test accuracy.
import * as gl from '../../src/index.js';

/** The embedded 8×8 digits, flat ([n, 64]) or as images ([n, 1, 8, 8]). */
export function digits(flatten = true): gl.data.LoadedDataset {
  return gl.data.loadDigits({ flatten });
}

/** Trains `learner` for `steps` batches of `batch` digits (in order, wrapping) and returns test accuracy. */
export async function quickRun(
  learner: gl.rules.Learner,
  data: gl.data.LoadedDataset,
  steps: number,
  batch = 64,
): Promise<number> {
  const n = data.train.x.shape[0];
  for (let s = 0; s < steps; s++) {
    const start = (s * batch) % (n - batch);
    const x = gl.narrow(data.train.x, 0, start, batch);
    const y = gl.narrow(data.train.y, 0, start, batch);
    await learner.step(x, y);
  }
  const pred = gl.argmax(learner.predict(data.test.x), -1).toArray() as number[];
  const y = data.test.y.toArray() as number[];
  return pred.filter((p, i) => p === y[i]).length / y.length;
}
