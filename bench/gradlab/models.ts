// gradlab: the MLP and CNN as a PyTorch user builds them (nn.Sequential of nn layers) with the bench's seeded weights, and the step as they write it.
import * as gl from '../../src/index.js';
import { param, STREAM } from '../lib/prng.js';
import { cnnGeometry, type CnnSpec, type Loop } from '../lib/workloads.js';
import { fromArray, readScalar } from './train.js';

/**
 * nn.Linear(inF, outF) holding layer `i`'s seeded parameters: the weight stream read as [inF, outF]
 * (the layout the JS peers multiply by) and stored transposed, PyTorch's [outF, inF].
 */
function linear(seed: number, i: number, inF: number, outF: number): gl.nn.Linear {
  const l = new gl.nn.Linear(inF, outF);
  const w = fromArray(param(seed, STREAM.weight(i), inF * outF, inF), [inF, outF]);
  l.loadStateDict({
    weight: w.transpose(0, 1).contiguous(),
    bias: fromArray(param(seed, STREAM.bias(i), outF, inF), [outF]),
  });
  return l;
}

/** nn.Conv2d(cin, cout, k) holding layer `i`'s seeded parameters ([cout, cin, k, k] and [cout]). */
function conv(seed: number, i: number, cin: number, cout: number, k: number): gl.nn.Conv2d {
  const c = new gl.nn.Conv2d(cin, cout, k);
  const fanIn = cin * k * k;
  c.loadStateDict({
    weight: fromArray(param(seed, STREAM.weight(i), cout * fanIn, fanIn), [cout, cin, k, k]),
    bias: fromArray(param(seed, STREAM.bias(i), cout, fanIn), [cout]),
  });
  return c;
}

/** The MLP: Linear-ReLU-...-Linear over `sizes` (input width first). */
export function mlpModel(sizes: readonly number[], seed: number): gl.nn.Sequential {
  const layers: gl.nn.Module[] = [];
  for (let i = 0; i + 1 < sizes.length; i++) {
    if (i > 0) layers.push(new gl.nn.ReLU());
    layers.push(linear(seed, i, sizes[i], sizes[i + 1]));
  }
  return new gl.nn.Sequential(...layers);
}

/** The CNN: conv-ReLU-maxpool ×2, Flatten, Linear-ReLU-Linear. */
export function cnnModel(s: CnnSpec): gl.nn.Sequential {
  const { flat } = cnnGeometry(s);
  return new gl.nn.Sequential(
    conv(s.seed, 0, 1, s.c1, s.kernel),
    new gl.nn.ReLU(),
    new gl.nn.MaxPool2d(2),
    conv(s.seed, 1, s.c1, s.c2, s.kernel),
    new gl.nn.ReLU(),
    new gl.nn.MaxPool2d(2),
    new gl.nn.Flatten(),
    linear(s.seed, 2, flat, s.hidden),
    new gl.nn.ReLU(),
    linear(s.seed, 3, s.hidden, s.classes),
  );
}

/**
 * One training step of `model` on (x, y) with torch.optim.SGD's counterpart, returning the loss read
 * back (`loss.item()`; `await loss.itemAsync()` on an asynchronous backend, as CUDA's `.item()` waits).
 * `plain` is the loop a PyTorch user writes, line for line; `tidy` wraps the same lines in gl.tidy.
 */
export function trainer(
  model: gl.nn.Module,
  lr: number,
  loop: Loop,
): (x: gl.Tensor, y: gl.Tensor) => number | Promise<number> {
  const opt = new gl.optim.SGD(model.parameters(), { lr });
  if (loop === 'plain')
    return (x, y) => {
      opt.zeroGrad();
      const loss = gl.crossEntropy(model.forward(x), y);
      loss.backward();
      opt.step();
      return loss.storage.backend.capabilities.syncRead ? loss.item() : loss.itemAsync();
    };
  return (x, y) =>
    readScalar(
      gl.tidy(() => {
        opt.zeroGrad();
        const loss = gl.crossEntropy(model.forward(x), y);
        loss.backward();
        opt.step();
        return loss;
      }),
    );
}
