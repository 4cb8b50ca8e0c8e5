// The small float64 models of test/fixtures/generate_explain_fixtures.py, rebuilt with gl.nn and the fixture's weights.
import { readFileSync } from 'node:fs';
import * as gl from '../../../src/index.js';

export interface FT {
  shape: number[];
  data: number[];
}
export interface WithDeltaFT {
  attr: FT;
  delta: FT;
}
export const fixture: { source: string; cases: Record<string, any> } = JSON.parse(
  readFileSync(new URL('../../fixtures/torch/explain.json', import.meta.url), 'utf8'),
);

export const t = (f: FT): gl.Tensor => gl.tensor(f.data, { dtype: 'float64', shape: f.shape });

function load(m: gl.nn.Module, weights: Record<string, FT>): void {
  m.double();
  m.loadStateDict(Object.fromEntries(Object.entries(weights).map(([k, v]) => [k, t(v)])));
  m.eval();
}

/** conv1 → relu (functional) → maxpool 2 → conv2 → relu → flatten → lin1 → tanh → lin2. */
export class Cnn extends gl.nn.Module {
  conv1 = new gl.nn.Conv2d(1, 3, 3, { padding: 1 });
  conv2 = new gl.nn.Conv2d(3, 4, 3, { padding: 1 });
  lin1 = new gl.nn.Linear(64, 6);
  lin2 = new gl.nn.Linear(6, 3);
  constructor() {
    super();
    load(this, fixture.cases.cnn.weights);
  }
  override forward(x: gl.Tensor): gl.Tensor {
    let h = gl.maxPool2d(gl.relu(this.conv1.forward(x)), 2);
    h = gl.relu(this.conv2.forward(h)).flatten(1);
    return this.lin2.forward(gl.tanh(this.lin1.forward(h)));
  }
}

/** l1 → act → l2 → act → l3 with one activation module used twice. */
export class Mlp extends gl.nn.Module {
  l1 = new gl.nn.Linear(4, 5);
  l2 = new gl.nn.Linear(5, 5);
  l3 = new gl.nn.Linear(5, 3);
  act: gl.nn.Module = new gl.nn.ReLU();
  constructor() {
    super();
    load(this, fixture.cases.mlp.weights);
  }
  override forward(x: gl.Tensor): gl.Tensor {
    return this.l3.forward(this.act.forward(this.l2.forward(this.act.forward(this.l1.forward(x)))));
  }
}

/** The mlp weights with softplus, elu and a sigmoid output (functional). */
export class Smooth extends Mlp {
  override forward(x: gl.Tensor): gl.Tensor {
    return gl.sigmoid(this.l3.forward(gl.elu(this.l2.forward(gl.softplus(this.l1.forward(x))))));
  }
}

/** Largest |a - b| / (1 + |b|). */
export function maxRelErr(got: gl.Tensor, exp: FT): number {
  const g = got.dataSync();
  if (got.shape.join() !== exp.shape.join()) throw new Error(`shape ${got.shape} vs ${exp.shape}`);
  let w = 0;
  exp.data.forEach((e, i) => (w = Math.max(w, Math.abs(g[i] - e) / (1 + Math.abs(e)))));
  return w;
}
