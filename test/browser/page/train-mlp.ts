// Browser page script: trains a tiny MLP with gradlab on WebGPU (navigator.gpu) and reports the losses.
import * as gl from '../../../src/index.js';
import { backendByName } from '../../../src/core/backend-registry.js';
import type { WebGPUBackend } from '../../../src/backends/webgpu/index.js';

/** What the page reports back to the test. */
export interface BrowserRun {
  hasNavigatorGpu: boolean;
  /** Why `gl.setBackend('webgpu')` failed (no adapter...); the rest is empty then. */
  setupError?: string;
  backend: string;
  adapter: string;
  losses: number[];
  /** gl.memory().tensors after the 5th step and after the last one. */
  liveTensors: [number, number];
}

/** Two Gaussian blobs in 2-D, labels 0/1: x = c(y) + 0.5 * noise, c(0) = (-1, -1), c(1) = (1, 1). */
function blobs(n: number): { x: gl.Tensor; y: gl.Tensor } {
  const g = new gl.Generator(1);
  // (gl.randint draws in float64, which WebGPU lacks: threshold uniform draws instead)
  const y = gl.lt(gl.rand([n], { generator: g }), 0.5).to('int32');
  const centre = gl.sub(gl.mul(y.to('float32').reshape([n, 1]), 2), 1);
  const x = gl.add(centre, gl.mul(gl.randn([n, 2], { generator: g }), 0.5));
  return { x, y };
}

/** Trains a 2-16-2 MLP with Adam for `steps` steps; reads every loss back asynchronously. */
async function train(steps: number): Promise<BrowserRun> {
  const hasNavigatorGpu = !!(globalThis as { navigator?: { gpu?: unknown } }).navigator?.gpu;
  try {
    await gl.setBackend('webgpu');
  } catch (err) {
    const none = { backend: '', adapter: '', losses: [], liveTensors: [0, 0] as [number, number] };
    return { hasNavigatorGpu, setupError: (err as Error).message, ...none };
  }
  gl.manualSeed(0);
  const { x, y } = blobs(64);
  const model = new gl.nn.Sequential(new gl.nn.Linear(2, 16), new gl.nn.ReLU(), new gl.nn.Linear(16, 2));
  const opt = new gl.optim.Adam(model.parameters(), { lr: 0.05 });
  const losses: number[] = [];
  const live: number[] = [];
  for (let step = 0; step < steps; step++) {
    const loss = gl.tidy(() => {
      opt.zeroGrad();
      const loss = gl.crossEntropy(model.forward(x), y);
      loss.backward();
      opt.step();
      return loss;
    });
    losses.push(await loss.itemAsync());
    loss.dispose();
    if (step === 4 || step === steps - 1) live.push(gl.memory().tensors);
  }
  const gpu = backendByName('webgpu') as WebGPUBackend;
  return {
    hasNavigatorGpu,
    backend: gl.getBackend(),
    adapter: gpu.adapterInfo,
    losses,
    liveTensors: [live[0], live[1]],
  };
}

(globalThis as { gradlabTrain?: typeof train }).gradlabTrain = train;
