// Browser page script: the README's training loop (conv net, Adam, cosine schedule, DataLoader) on WebGPU, from 'gradlab'.
// Bundled from the packed package by test/browser/readme-loop.test.ts; 'gradlab' resolves to its browser entry there.
import * as gl from 'gradlab';

/** What the page reports back to the test. */
export interface BrowserRun {
  hasNavigatorGpu: boolean;
  /** Why `gl.setBackend('webgpu')` failed (no adapter...); the rest is empty then. */
  setupError?: string;
  backend: string;
  adapter: string;
  /** Mean training loss of each epoch. */
  epochLosses: number[];
  /** Live tensors (gl.memory().tensors) after each epoch. */
  liveTensors: number[];
  /** Test accuracy after training. */
  accuracy: number;
}

/**
 * 8×8 one-channel images of two classes: a bright horizontal bar (class 0) or a vertical bar (class 1)
 * at a random row/column, plus N(0, 0.3) noise. A conv net separates them; a wrong gradient does not.
 */
function bars(n: number, seed: number): { x: gl.Tensor; y: gl.Tensor } {
  const g = new gl.Generator(seed);
  const y = gl.lt(gl.rand([n], { generator: g }), 0.5).to('int32');
  const at = gl.mul(gl.rand([n], { generator: g }), 8).to('int32'); // truncation: 0..7
  const line = gl.oneHot(at, 8).to('float32').reshape([n, 1, 8, 1]).expand([n, 1, 8, 8]);
  const vertical = y.to('bool').reshape([n, 1, 1, 1]);
  const img = gl.where(vertical, line.transpose(2, 3), line);
  return { x: gl.add(img, gl.mul(gl.randn([n, 1, 8, 8], { generator: g }), 0.3)), y };
}

/**
 * The README's loop with its shapes scaled to 8×8 inputs; the rest is the README's code.
 */
async function train(epochs: number): Promise<BrowserRun> {
  const hasNavigatorGpu = !!(globalThis as { navigator?: { gpu?: unknown } }).navigator?.gpu;
  try {
    await gl.setBackend('webgpu');
  } catch (err) {
    const none = { backend: '', adapter: '', epochLosses: [], accuracy: 0 };
    return { hasNavigatorGpu, setupError: (err as Error).message, liveTensors: [], ...none };
  }
  gl.manualSeed(0);
  const train = bars(256, 1);
  const test = bars(128, 2);
  const model = new gl.nn.Sequential(
    new gl.nn.Conv2d(1, 8, 3),
    new gl.nn.ReLU(),
    new gl.nn.MaxPool2d(2),
    new gl.nn.Flatten(),
    new gl.nn.Linear(8 * 3 * 3, 2),
  );
  const opt = new gl.optim.Adam(model.parameters(), { lr: 3e-2 });
  const sched = new gl.optim.CosineAnnealingLR(opt, epochs * 4);
  const loader = new gl.data.DataLoader(new gl.data.TensorDataset(train.x, train.y), {
    batchSize: 64,
    shuffle: true,
    seed: 0,
  });
  const epochLosses: number[] = [];
  const live: number[] = [];
  for (let epoch = 0; epoch < epochs; epoch++) {
    const losses: gl.Tensor[] = [];
    for (const {
      data: [x, y],
    } of loader) {
      losses.push(
        gl.tidy(() => {
          opt.zeroGrad();
          const loss = gl.crossEntropy(model.forward(x), y);
          loss.backward();
          opt.step();
          return loss;
        }),
      );
      sched.step();
      // (the README leaves batches to the garbage collector; disposing them makes the live count exact)
      x.dispose();
      y.dispose();
    }
    const mean = gl.tidy(() => gl.stack(losses).mean());
    epochLosses.push(await mean.itemAsync());
    mean.dispose();
    for (const l of losses) l.dispose();
    live.push(gl.memory().tensors);
  }
  const correct = gl.noGrad(() =>
    gl
      .eq(gl.argmax(model.forward(test.x), 1), test.y)
      .to('float32')
      .mean(),
  );
  const accuracy = await correct.itemAsync();
  return {
    hasNavigatorGpu,
    backend: gl.getBackend(),
    adapter: gl.webgpuBackend().adapterInfo,
    epochLosses,
    liveTensors: live,
    accuracy,
  };
}

(globalThis as { gradlabTrain?: typeof train }).gradlabTrain = train;
