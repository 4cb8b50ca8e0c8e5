// A quick supervised task for the rules' tests: 600 embedded digits, a few epochs of a given learner, test accuracy.
import * as gl from '../../src/index.js';

export const digitsTask: gl.rules.TaskSpec = { inputShape: [64], outputs: 10, kind: 'classification' };

/** Trains `learner` for `epochs` over the first 600 training digits (batches of 50) and returns its test accuracy. */
export async function quickDigits(learner: gl.rules.Learner, epochs: number): Promise<number> {
  const ds = gl.data.loadDataset('digits', { flatten: true });
  const n = 600;
  for (let e = 0; e < epochs; e++)
    for (let i = 0; i < n; i += 50)
      await learner.step(ds.train.x.narrow(0, i, 50).contiguous(), ds.train.y.narrow(0, i, 50).contiguous());
  const pred = gl.argmax(learner.predict(ds.test.x), 1);
  return gl.eq(pred, ds.test.y).float().mean().item();
}

/** An MLP 64 → 64 (act) → ... → 10. */
export function digitsMlp(seed: number, hidden: number[], act: () => gl.nn.Module): gl.nn.Sequential {
  gl.manualSeed(seed);
  const mods: gl.nn.Module[] = [];
  let w = 64;
  for (const h of hidden) {
    mods.push(new gl.nn.Linear(w, h), act());
    w = h;
  }
  mods.push(new gl.nn.Linear(w, 10));
  return new gl.nn.Sequential(...mods);
}
