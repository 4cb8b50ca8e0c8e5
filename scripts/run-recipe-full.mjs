// Runs recipes with their full budget, saves each result to docs/recipes/results/ and regenerates REPRODUCTIONS.md.
// Usage: npm run build && GRADLAB_BACKEND=native node scripts/run-recipe-full.mjs mesa checkpoint ...
import * as gl from '../dist/src/index.js';

for (const name of process.argv.slice(2)) {
  const r = await gl.recipes.runRecipe(name, { log: (l) => console.log(`[${name}] ${l}`) });
  const file = gl.recipes.writeResult(r);
  console.log(`[${name}] ${r.verdict} (${r.provenance.wallSeconds} s) → ${file}`);
}
console.log(gl.recipes.writeReport('.', Object.values(gl.recipes.RECIPES)).join('\n'));
