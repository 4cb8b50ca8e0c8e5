// The robustness table of issue 17: a standard and a PGD-adversarially-trained Fashion-MNIST CNN under clean, FGSM, PGD-10 and C&W-L2.
// Usage: npx vite-node scripts/robustness-table.ts   (writes scripts/robustness-table/fmnist-<UTC date>.txt; the committed runs are there)
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as gl from '../src/index.js';
import { imageData } from '../src/recipes/common/images.js';

const CFG = {
  nTrain: 4000,
  nTest: 500,
  cwExamples: 200,
  epochs: 5,
  batch: 64,
  lr: 1e-3,
  eps: 0.1,
  train: { steps: 7, alpha: 0.025 }, // Madry et al.'s PGD-7 in the loop, random start
  pgd: { steps: 10, alpha: 0.025 },
  cw: { c: 1, steps: 50, lr: 0.01, binarySearchSteps: 1 }, // torchattacks' CW defaults
  seed: 0,
};

/** The bench/pgd.ts CNN (conv16-pool-conv32-pool-fc64-fc10). */
function cnn(c: number, h: number, w: number): gl.nn.Sequential {
  const flat = 32 * Math.floor(h / 4) * Math.floor(w / 4);
  return new gl.nn.Sequential(
    new gl.nn.Conv2d(c, 16, 3, { padding: 1 }),
    new gl.nn.ReLU(),
    new gl.nn.MaxPool2d(2),
    new gl.nn.Conv2d(16, 32, 3, { padding: 1 }),
    new gl.nn.ReLU(),
    new gl.nn.MaxPool2d(2),
    new gl.nn.Flatten(),
    new gl.nn.Linear(flat, 64),
    new gl.nn.ReLU(),
    new gl.nn.Linear(64, 10),
  );
}

async function train(adversarial: boolean, data: ReturnType<typeof imageData>): Promise<gl.nn.Sequential> {
  gl.manualSeed(CFG.seed); // the same initialisation for both nets
  const [c, h, w] = data.shape;
  const model = cnn(c, h, w);
  const loader = new gl.data.DataLoader(new gl.data.TensorDataset(data.train.x, data.train.y), {
    batchSize: CFG.batch,
    shuffle: true,
    seed: CFG.seed + 1,
  });
  const trainer = new gl.train.Trainer({
    model,
    optimizer: new gl.optim.Adam(model.parameters(), { lr: CFG.lr }),
    adversarial: adversarial
      ? gl.attacks.pgdTraining({ eps: CFG.eps, ...CFG.train, generator: new gl.Generator(CFG.seed + 2) })
      : null,
  });
  const t0 = performance.now();
  const r = await trainer.fit(loader, { epochs: CFG.epochs });
  console.log(
    `${adversarial ? 'PGD-trained' : 'standard'}: ${CFG.epochs} epochs in ${((performance.now() - t0) / 1000).toFixed(0)} s, last training accuracy ${(100 * r.metrics.accuracy).toFixed(1)}%`,
  );
  model.eval();
  return model;
}

const pct = (v: number) => `${(100 * v).toFixed(1)}%`;

async function main(): Promise<void> {
  const started = new Date();
  const data = imageData({ policy: ['fashion-mnist'], nTrain: CFG.nTrain, nTest: CFG.nTest });
  const nets = { standard: await train(false, data), 'PGD-trained': await train(true, data) };
  const x = data.test.x;
  const y = data.test.y;
  const xc = x.narrow(0, 0, CFG.cwExamples).contiguous();
  const yc = y.narrow(0, 0, CFG.cwExamples).contiguous();
  const lines: string[] = [];
  for (const [name, m] of Object.entries(nets)) {
    const t0 = performance.now();
    const f = gl.attacks.robustnessReport(m, x, y, { attack: 'fgsm', eps: [CFG.eps] });
    const p = gl.attacks.robustnessReport(m, x, y, {
      attack: 'pgd',
      eps: [CFG.eps],
      ...CFG.pgd,
      generator: new gl.Generator(CFG.seed + 3),
    });
    const cwAttack = (mm: gl.attacks.AttackModel, xb: gl.Tensor, yb: gl.Tensor) =>
      gl.attacks.cw(mm, xb, yb, CFG.cw);
    const c = gl.attacks.robustnessReport(m, xc, yc, { attack: cwAttack, eps: [0] });
    const cw = c.rows[0];
    lines.push(
      `| ${name.padEnd(11)} | ${pct(f.cleanAccuracy).padStart(5)} | ${pct(f.rows[0].robustAccuracy).padStart(5)} | ${pct(p.rows[0].robustAccuracy).padStart(6)} | ${pct(cw.robustAccuracy).padStart(5)} (on ${CFG.cwExamples}; clean ${pct(c.cleanAccuracy)}) | ${pct(cw.successRate).padStart(5)} | ${cw.medianL2.toFixed(3)} |`,
    );
    console.log(`${name}: attacks in ${((performance.now() - t0) / 1000).toFixed(0)} s`);
  }
  const s = CFG;
  const out = [
    `Robustness table (issue 17): Fashion-MNIST CNN conv16-pool-conv32-pool-fc64-fc10 (the bench/pgd.ts model), run ${started.toISOString()}`,
    `data: Fashion-MNIST (Debian dataset-fashion-mnist), first ${s.nTrain} training / ${s.nTest} test images, pixels in [0, 1]`,
    `training: Adam lr ${s.lr}, batch ${s.batch}, ${s.epochs} epochs, same init and batch order; PGD-trained: every batch replaced by PGD-${s.train.steps} (L∞ ε ${s.eps}, α ${s.train.alpha}, random start) — gl.train.Trainer adversarial: gl.attacks.pgdTraining`,
    `attacks (gl.attacks.robustnessReport, eval mode): FGSM L∞ ε ${s.eps}; PGD-${s.pgd.steps} L∞ ε ${s.eps}, α ${s.pgd.alpha}, random start; C&W-L2 (c ${s.cw.c}, ${s.cw.steps} Adam steps, lr ${s.cw.lr}, no binary search: torchattacks' defaults) on the first ${s.cwExamples} test images — a minimum-norm attack, unbounded: its column is the accuracy where it failed, with its success rate (over the clean-correct) and the median L2 of its successes`,
    `machine: ${os.cpus()[0]?.model ?? 'cpu'}, ${os.cpus().length} cores, load ${os
      .loadavg()
      .map((v) => v.toFixed(1))
      .join(' ')} at the end (shared by other jobs), backend ${gl.getBackend()}`,
    '',
    '| model       | clean | FGSM  | PGD-10 | C&W-L2 robust accuracy               | C&W success | C&W median L2 |',
    '|-------------|-------|-------|--------|--------------------------------------|-------------|---------------|',
    ...lines,
    '',
  ].join('\n');
  console.log(out);
  const file = `scripts/robustness-table/fmnist-${started.toISOString().slice(0, 16).replace(/[:T]/g, '')}.txt`;
  fs.writeFileSync(file, out);
  console.log(`wrote ${file}`);
}

await main();
