// Runs recipes with their full budget and stores each result as docs/recipes/<name>.json (for REPRODUCTIONS.md).
// Usage: npm run build && node scripts/run-recipe-full.mjs mesa checkpoint ...
import * as fs from 'node:fs';
import * as gl from '../dist/src/index.js';

fs.mkdirSync('docs/recipes', { recursive: true });
for (const name of process.argv.slice(2)) {
  const r = await gl.recipes.runRecipe(name, { log: (l) => console.log(`[${name}] ${l}`) });
  fs.writeFileSync(`docs/recipes/${name}.json`, JSON.stringify(r, null, 2) + '\n');
  console.log(`[${name}] ${r.verdict}: ${r.summary} (${r.durationSeconds.toFixed(0)} s)`);
}
const results = fs
  .readdirSync('docs/recipes')
  .filter((f) => f.endsWith('.json'))
  .map((f) => JSON.parse(fs.readFileSync(`docs/recipes/${f}`, 'utf8')));
gl.recipes.writeReproductionsReport(results, 'REPRODUCTIONS.md');
