// The command table: one typed entry per top-level command name.
import type { CommandEntry } from './command.js';
import { attackCommand } from './commands/attack.js';
import { compareCommand } from './commands/compare.js';
import { explainCommand } from './commands/explain.js';
import { curvatureCommand } from './commands/curvature.js';
import { diagramCommand } from './commands/diagram.js';
import { recipeGroup } from './commands/recipe.js';
import { runsGroup } from './commands/runs.js';
import { trainCommand } from './commands/train.js';

/** Every top-level command; adding a name here without an entry in COMMANDS does not compile. */
export type CommandName =
  'train' | 'compare' | 'recipe' | 'runs' | 'explain' | 'curvature' | 'attack' | 'diagram';

/** The command table the dispatcher and the help read. */
export const COMMANDS: { readonly [K in CommandName]: CommandEntry } = {
  train: trainCommand,
  compare: compareCommand,
  recipe: recipeGroup,
  runs: runsGroup,
  explain: explainCommand,
  curvature: curvatureCommand,
  attack: attackCommand,
  diagram: diagramCommand,
};
