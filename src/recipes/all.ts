// The recipes shipped with gradlab: a typed table (name → definition), and lookup/run by name.
import { ArgumentError } from '../core/errors.js';
import { attributionRecipe } from './attribution.js';
import { auglocalRecipe } from './auglocal.js';
import { checkpointRecipe } from './grad-checkpointing.js';
import { circuitDiagramsRecipe } from './circuit-diagrams.js';
import { informationPlaneRecipe } from './information-plane.js';
import { deepGaRecipe } from './deep-ga.js';
import { drtpRecipe } from './drtp.js';
import { ffRecipe } from './ff.js';
import { runRecipeDef, type RunRecipeOptions } from './framework/run.js';
import type { RecipeDef, RecipeResult } from './framework/types.js';
import { convexReluRecipe } from './convex-relu.js';
import { gbnnRecipe } from './gbnn.js';
import { lstRecipe } from './lst.js';
import { mesaRecipe } from './mesa.js';
import { normgradRecipe } from './normgrad.js';
import { phyffRecipe } from './phyff.js';
import { slttRecipe } from './sltt.js';
import { tpsgdRecipe } from './tpsgd.js';
import { snnkRecipe } from './snnk.js';
import { lrBatchRecipe } from './lr-batch.js';
import { opposingRecipe } from './opposing.js';
import { distillationRecipe } from './distillation.js';
import { boundaryTiltingRecipe } from './boundary-tilting.js';
import { powernormRecipe } from './powernorm.js';
import { ghostBnRecipe } from './ghost-bn.js';
import { condensationRecipe } from './condensation.js';
import { dannRecipe } from './dann.js';
import { pskdRecipe } from './pskd.js';
import { coherenceRecipe } from './coherence.js';
import { gradNoiseRecipe } from './grad-noise.js';
import { refinedSchedulesRecipe } from './refined-schedules.js';
import { odiceRecipe } from './odice.js';
import { diffroarRecipe } from './diffroar.js';

/** Every shipped recipe; the key is the recipe's `name` (tested). */
export const RECIPES = {
  /** Gradient checkpointing (Chen et al. 2016): saved memory against depth, plain and √n segments. */
  checkpoint: checkpointRecipe,
  /** Paper 02: Mesa, 8-bit compressed activations for backward. */
  mesa: mesaRecipe,
  /** Paper 06: Ladder Side-Tuning over a frozen backbone. */
  lst: lstRecipe,
  /** Paper 32: SLTT, spiking networks trained with the temporal route cut (memory independent of T). */
  sltt: slttRecipe,
  /** Paper 08: the deep GA beside random search, OpenAI-ES and REINFORCE on CartPole. */
  'deep-ga': deepGaRecipe,
  /** Paper 21: AugLocal beside DGL and BP. */
  auglocal: auglocalRecipe,
  /** Paper 18: PhyFF through forward-only physical layers, with digital-twin baselines. */
  phyff: phyffRecipe,
  /** Paper 10: target-projection SGD beside BP, DRTP and the shallow baseline. */
  tpsgd: tpsgdRecipe,
  /** Forward-Forward (Hinton 2022). */
  ff: ffRecipe,
  /** DRTP and DFA beside BP and the shallow baseline. */
  drtp: drtpRecipe,
  /** Paper 09: gradient-boosted neural networks. */
  gbnn: gbnnRecipe,
  /** Paper 16: convex two-layer ReLU training by ADMM. */
  'convex-relu': convexReluRecipe,
  /** Paper 41: scalable neural network kernels. */
  snnk: snnkRecipe,
  /** Paper 44: mini-batch Hessian spectra against batch size. */
  'lr-batch': lrBatchRecipe,
  /** Paper 30: opposing-signal outliers under full-batch GD. */
  opposing: opposingRecipe,
  /** Paper 46: FGSM vs C&W on a standard and a defensively distilled MLP. */
  distillation: distillationRecipe,
  /** Paper 28: boundary tilting of L2-regularised linear models. */
  'boundary-tilting': boundaryTiltingRecipe,
  /** Paper 36: dataset condensation, DC vs contrastive DCC vs random real images, plain and background-dominated digits. */
  condensation: condensationRecipe,
  /** Paper 07: DANN on the rotated moons and on digits → a colour-texture-shifted domain. */
  dann: dannRecipe,
  /** Paper 35: ODICE's orthogonal-gradient update on the toy point-mass offline-RL task. */
  odice: odiceRecipe,
  /** Paper 25: input-gradient faithfulness, BlockMNIST leakage and DiffROAR (standard, robust, random). */
  diffroar: diffroarRecipe,
  /** Paper 14: circuit diagrams' cost model (FLOPs, saved bytes) on measured tapes. */
  'circuit-diagrams': circuitDiagramsRecipe,
  /** Paper 38: the information plane on the 12-bit task, tanh and the ReLU control. */
  'information-plane': informationPlaneRecipe,
  /** Paper 11: attribution and NAP on tag-biased digits, MLP/CNN/ResNet ensemble. */
  attribution: attributionRecipe,
  /** Paper 26: NormGrad, Grad-CAM and the extract-and-aggregate grid on digits on a canvas. */
  normgrad: normgradRecipe,
  /** Paper 13: PowerNorm vs BatchNorm and LayerNorm in a post-norm transformer LM. */
  powernorm: powernormRecipe,
  /** Paper 45: small vs large batch, ghost batch norm and regime adaptation. */
  'ghost-bn': ghostBnRecipe,
  /** Paper 29: PS-KD self-distillation vs CE and label smoothing, accuracy and calibration. */
  pskd: pskdRecipe,
  /** Paper 27: gradient coherence on real vs random labels; M3 and winsorised SGD on noisy labels. */
  coherence: coherenceRecipe,
  /** Paper 20: annealed gradient noise in a 20-layer MLP from poor inits. */
  'grad-noise': gradNoiseRecipe,
  /** Paper 37: linear decay vs cosine, constant and 1/√t, and the refined schedule. */
  'refined-schedules': refinedSchedulesRecipe,
} as const satisfies Record<string, RecipeDef>;

/** The name of a shipped recipe. */
export type RecipeName = keyof typeof RECIPES;

/**
 * The definition of a shipped recipe (ArgumentError naming the known ones otherwise).
 * @example gl.recipes.getRecipe('checkpoint').paper; // the paper id it reproduces
 */
export function getRecipe(name: string): RecipeDef {
  if (!Object.hasOwn(RECIPES, name))
    throw new ArgumentError(
      `recipe: unknown recipe ${JSON.stringify(name)}; expected one of ${Object.keys(RECIPES).join(', ')}`,
    );
  return RECIPES[name as RecipeName];
}

/**
 * Name, paper, claim and budgets of every shipped recipe.
 * @example for (const r of gl.recipes.listRecipes()) console.log(r.name, r.paper);
 */
export function listRecipes(): {
  /** The recipe's name. */
  name: string;
  /** Its paper id. */
  paper: string;
  /** Its claim, in words. */
  claim: string;
  /** Rough wall time of its runs on a 2-core CPU. */
  budgetSeconds: {
    /** Seconds of a full run. */
    full: number;
    /** Seconds of a quick run. */
    quick: number;
  };
}[] {
  return Object.values(RECIPES).map((r) => ({
    name: r.name,
    paper: r.paper,
    claim: r.claim.text,
    budgetSeconds: r.protocol.budgetSeconds,
  }));
}

/**
 * Runs a shipped recipe by name, or any definition.
 * @example
 * const r = await gl.recipes.runRecipe('checkpoint', { quick: true });
 * r.verdict; // 'mechanism checked' | 'mechanism fails'
 */
export async function runRecipe(
  recipe: string | RecipeDef,
  opts: RunRecipeOptions = {},
): Promise<RecipeResult> {
  return runRecipeDef(typeof recipe === 'string' ? getRecipe(recipe) : recipe, opts);
}
