// The committed REPRODUCTIONS.md, its figures and README's recipe block are exactly what the committed result
// files produce; the results are well-formed and README/docs quote no recipe numbers of their own.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import * as gl from '../../src/index.js';

const ROOT = path.resolve(__dirname, '../..');
const R = gl.recipes;

describe('REPRODUCTIONS.md', () => {
  it('is in step with the committed result files (regenerate with `gradlab recipe report`)', () => {
    expect(R.writeReport(ROOT, Object.values(R.RECIPES), { check: true })).toEqual([]);
  });

  it('has a row for each of the 46 papers and the three base methods; paper 05 is not yet implemented', () => {
    const md = fs.readFileSync(path.join(ROOT, 'REPRODUCTIONS.md'), 'utf8');
    for (const p of R.PAPERS) expect(md).toContain(`| ${R.paperLabel(p).replace(/\|/g, '\\|')} |`);
    expect(md).toMatch(
      /\| 05\. Aligning Text-to-Image Diffusion Models with Reward Backpropagation \| — \| not yet implemented \|/,
    );
    expect(md).toMatch(
      /\| Gradient checkpointing\. Training Deep Nets with Sublinear Memory Cost \(Chen, Xu, Zhang, Guestrin, 2016\) \| \[checkpoint\]/,
    );
  });

  it('committed results record a commit and one value per seed for every metric', () => {
    for (const r of R.readResults(path.join(ROOT, R.RESULTS_DIR))) {
      expect(r.provenance.commit).toMatch(/^[0-9a-f]{40}$/);
      for (const v of Object.values(r.perSeed)) expect(v).toHaveLength(r.provenance.seeds.length);
      expect(JSON.stringify(r)).not.toContain(R.getRecipe(r.recipe).claim.text);
    }
  });

  it('README and docs/lab.md quote no recipe verdicts outside the generated block', () => {
    const readme = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8');
    const outside = readme.replace(/<!-- recipes:begin[\s\S]*?<!-- recipes:end -->/, '');
    const lab = fs.readFileSync(path.join(ROOT, 'docs/lab.md'), 'utf8');
    for (const text of [outside, lab])
      expect(text).not.toMatch(/\b(partially reproduced|not reproduced|reproduced)\b/);
  });
});
