// The DFA / DRTP update of a 2-layer tanh network written out by hand (no autograd), for the rules' tests.
import * as gl from '../../src/index.js';

export const task2: gl.rules.TaskSpec = { inputShape: [3], outputs: 2, kind: 'classification' };
export const x2 = gl.tensor([
  [0.5, -1, 2],
  [1, 0.25, -0.5],
  [-0.3, 0.8, 0.1],
]);
export const y2 = gl.tensor([1, 0, 1], { dtype: 'int32' });

export function tanhNet(seed: number): gl.nn.Sequential {
  gl.manualSeed(seed);
  return new gl.nn.Sequential(new gl.nn.Linear(3, 4), new gl.nn.Tanh(), new gl.nn.Linear(4, 2));
}

/**
 * The SGD step (lr, first step of momentum SGD = plain step) of `net` under `signal`, with B the
 * hidden layer's feedback matrix [2, 4]. Cross-entropy's output error is E = (softmax(a) − y*) / N.
 * Hidden signal: dfa E·B; sdfa sign(E)·B / N; drtp y*·B / N; shallow none. δ = signal ⊙ (1 − h²).
 * Returns the new [W1, b1, W2, b2] and the loss.
 */
export function stepByHand(
  net: gl.nn.Sequential,
  B: gl.Tensor,
  signal: 'dfa' | 'sdfa' | 'drtp' | 'shallow',
  lr: number,
): { params: gl.Tensor[]; loss: number } {
  const [l1, l2] = [net.at(0) as gl.nn.Linear, net.at(2) as gl.nn.Linear];
  return gl.noGrad(() => {
    const n = x2.shape[0];
    const h = gl.tanh(gl.add(gl.matmul(x2, l1.weight.t()), l1.bias!));
    const a = gl.add(gl.matmul(h, l2.weight.t()), l2.bias!);
    const ystar = gl.oneHot(y2, 2).float();
    const p = gl.div(gl.exp(a), gl.sum(gl.exp(a), 1, true));
    const loss = gl.neg(gl.mean(gl.sum(gl.mul(ystar, gl.log(p)), 1))).item();
    const E = gl.div(gl.sub(p, ystar), n);
    const sig =
      signal === 'dfa'
        ? gl.matmul(E, B)
        : signal === 'sdfa'
          ? gl.div(gl.matmul(gl.sign(E), B), n)
          : gl.div(gl.matmul(ystar, B), n);
    const delta = gl.mul(sig, gl.sub(1, gl.mul(h, h)));
    const step = (w: gl.Tensor, g: gl.Tensor) => gl.sub(w, gl.mul(g, lr));
    const W1 = signal === 'shallow' ? l1.weight.clone() : step(l1.weight, gl.matmul(delta.t(), x2));
    const b1 = signal === 'shallow' ? l1.bias!.clone() : step(l1.bias!, gl.sum(delta, 0));
    return {
      params: [W1, b1, step(l2.weight, gl.matmul(E.t(), h)), step(l2.bias!, gl.sum(E, 0))],
      loss,
    };
  });
}

/** Largest absolute difference between two lists of tensors. */
export function maxDiff(a: readonly gl.Tensor[], b: readonly gl.Tensor[]): number {
  let m = 0;
  a.forEach((t, i) => (m = Math.max(m, gl.amax(gl.abs(gl.sub(t, b[i]))).item())));
  return m;
}
