// The command table: one typed entry per top-level command name.
import type { CommandEntry } from './command.js';
import { notYetAvailable } from './commands/placeholders.js';
import { recipeGroup } from './commands/recipe.js';
import { runsGroup } from './commands/runs.js';

/** Every top-level command; adding a name here without an entry in COMMANDS does not compile. */
export type CommandName = 'train' | 'recipe' | 'runs';

/** The command table the dispatcher and the help read. */
export const COMMANDS: { readonly [K in CommandName]: CommandEntry } = {
  // Slots for the trainer: replace with defineCommand({...}) entries.
  train: notYetAvailable('train', 'train a model on a dataset and report test accuracy'),
  recipe: recipeGroup,
  runs: runsGroup,
};
