// gradlab side of the parity benchmark: the MLP / CNN of torch_parity.py trained with gl.train on Fashion-MNIST.
// Usage: node dist/bench/parity/gradlab.js --model mlp|cnn [--seeds 0,1,2] [--epochs 5] [--backend native|js]
// Prints one JSON object per seed: { system, model, seed, epochs, testAcc, testLoss, seconds, backend }.
import * as gl from '../../src/index.js';
import { buildParityModel } from './models.js';

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] !== undefined ? process.argv[i + 1] : fallback;
}

const kind = arg('model', 'mlp');
if (kind !== 'mlp' && kind !== 'cnn') throw new Error(`--model must be mlp or cnn, got ${kind}`);
const seeds = arg('seeds', '0,1,2').split(',').map(Number);
const epochs = Number(arg('epochs', '5'));
const batchSize = Number(arg('batch-size', '128'));
const lr = Number(arg('lr', '1e-3'));
await gl.setBackend(arg('backend', 'native') as gl.BackendName);
const data = gl.data.loadDataset('fashion-mnist', { path: arg('data-path', gl.data.FASHION_MNIST_DIR) });
const train = new gl.data.TensorDataset(data.train.x, data.train.y);
const test = new gl.data.TensorDataset(data.test.x, data.test.y);
for (const seed of seeds) {
  gl.manualSeed(seed);
  const model = buildParityModel(kind);
  const optimizer = new gl.optim.Adam(model.parameters(), { lr });
  const loader = new gl.data.DataLoader(train, { batchSize, shuffle: true, seed });
  const trainer = new gl.train.Trainer({ model, optimizer, yieldEvery: 1000 });
  const t0 = performance.now();
  await trainer.fit(loader, { epochs });
  const seconds = (performance.now() - t0) / 1000;
  const m = await trainer.evaluate(new gl.data.DataLoader(test, { batchSize: 1000 }));
  const row = {
    system: 'gradlab',
    model: kind,
    seed,
    epochs,
    testAcc: m.accuracy,
    testLoss: m.loss,
    seconds: Math.round(seconds * 10) / 10,
    backend: gl.getBackend(),
  };
  process.stdout.write(JSON.stringify(row) + '\n');
}
