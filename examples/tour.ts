// The demo behind `npm run demo`: trains a small MLP on seeded two-spirals data and shows what backward keeps.
import * as gl from '../src/index.js';

/** Two interleaved spirals (seeded), the classic non-linear toy problem. */
function spirals(n: number, seed: number): { x: gl.Tensor; y: gl.Tensor } {
  const g = new gl.Generator(seed);
  const noise = gl.randn([2 * n, 2], { generator: g, dtype: 'float64' }).dataSync();
  const xs: number[][] = [];
  const ys: number[] = [];
  for (let cls = 0; cls < 2; cls++)
    for (let i = 0; i < n; i++) {
      const r = (i / n) * 5 + 0.5;
      const t = (1.75 * i * 2 * Math.PI) / n + cls * Math.PI;
      const k = cls * n + i;
      xs.push([(r * Math.cos(t)) / 3 + 0.08 * noise[2 * k], (r * Math.sin(t)) / 3 + 0.08 * noise[2 * k + 1]]);
      ys.push(cls);
    }
  return { x: gl.tensor(xs), y: gl.tensor(ys, { dtype: 'int32' }) };
}

function init(shape: number[], fanIn: number): gl.Tensor {
  return gl
    .randn(shape)
    .mul(Math.sqrt(2 / fanIn))
    .detach()
    .requiresGrad_();
}

gl.manualSeed(0);
const { x, y } = spirals(200, 1);
const w1 = init([2, 32], 2);
const b1 = gl.zeros([32], { requiresGrad: true });
const w2 = init([32, 32], 32);
const b2 = gl.zeros([32], { requiresGrad: true });
const w3 = init([32, 2], 32);
const b3 = gl.zeros([2], { requiresGrad: true });
const params = [w1, b1, w2, b2, w3, b3];
const forward = (inp: gl.Tensor) =>
  gl.scope('mlp', () => inp.matmul(w1).add(b1).tanh().matmul(w2).add(b2).tanh().matmul(w3).add(b3));

console.log(
  `gradlab demo: 2-32-32-2 tanh MLP on two spirals (400 points), SGD with momentum, backend ${gl.getBackend()}`,
);
const velocity = params.map((p) => gl.zerosLike(p));
const started = Date.now();
for (let step = 1; step <= 800; step++) {
  const loss = gl.crossEntropy(forward(x), y);
  loss.backward();
  gl.noGrad(() =>
    params.forEach((p, i) => {
      velocity[i].mul_(0.9).add_(p.grad!);
      p.sub_(velocity[i].mul(0.05));
      p.grad = null;
    }),
  );
  if (step % 100 === 0) {
    const acc = gl.noGrad(() => forward(x).argmax(1).eq(y).float().mean().item());
    console.log(
      `step ${String(step).padStart(3)}  loss ${loss.item().toFixed(4)}  train accuracy ${(acc * 100).toFixed(1)}%`,
    );
  }
}
console.log(`trained in ${((Date.now() - started) / 1000).toFixed(1)} s`);

const residuals = gl.savedResiduals((inp: gl.Tensor) => gl.crossEntropy(forward(inp), y), x);
console.log(
  `\nWhat one backward pass keeps (gl.savedResiduals), ${residuals.residuals.length} saved tensors:`,
);
console.log(residuals.toString());
gl.resetPeakMemory();
gl.crossEntropy(forward(x), y).backward();
const plainPeak = gl.memory().peakSavedBytes;
// checkpoint each hidden layer: backward keeps the layer boundaries and recomputes one layer at a time
const layer1 = (inp: gl.Tensor) => inp.matmul(w1).add(b1).tanh();
const layer2 = (h: gl.Tensor) => h.matmul(w2).add(b2).tanh();
gl.resetPeakMemory();
gl.crossEntropy(gl.checkpoint(layer2, gl.checkpoint(layer1, x)).matmul(w3).add(b3), y).backward();
console.log(
  `\npeak saved bytes: plain ${plainPeak} B, with gl.checkpoint around each hidden layer ${gl.memory().peakSavedBytes} B` +
    `\n(each layer here keeps little more than its output, which the next layer needs anyway, so the peak cannot fall;` +
    `\n \`npm run gradlab -- recipe run checkpoint\` shows a 64-block network where sqrt(n) segments cut it about 6x)`,
);
