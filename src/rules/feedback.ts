// Direct feedback rules (DFA, sDFA, DRTP, shallow): hidden layers get a fixed random projection instead of backpropagated error.
import { customGrad, type CustomContext } from '../core/custom.js';
import { ArgumentError } from '../core/errors.js';
import { Generator } from '../core/random/generator.js';
import { noGrad } from '../core/state.js';
import { keep, tidy, type Tensor } from '../core/tensor.js';
import type { Module } from '../nn/module.js';
import type { Parameter } from '../nn/parameter.js';
import { rand } from '../ops/creation.js';
import { cast, div, mul, sign, sub } from '../ops/elementwise.js';
import { matmul } from '../ops/matmul.js';
import { bceWithLogits } from '../ops/losses.js';
import { oneHot } from '../ops/shape.js';
import type { Optimizer } from '../optim/optimizer.js';
import type { BaseHyper } from '../optim/types.js';
import { requireParameters, taskLoss } from './bp.js';
import { runBlock, runPre, splitBlocks, type BlockModel, type LinearBlock } from './blocks.js';
import { RuleModelError } from './errors.js';
import { measureStep } from './measure.js';
import { releaseGrads, ruleOptimizer } from './optimizers.js';
import type { CommonRuleOptions, Learner, TaskSpec } from './types.js';

/** What replaces the gradient at each hidden layer's output. */
export type FeedbackSignal =
  /** DFA: the output error E = ∂L/∂logits projected by B_k (E·B_k). */
  | 'dfa'
  /** sign-concordant DFA: sign(E)·B_k / N. */
  | 'sdfa'
  /** DRTP: the one-hot target projected by B_k (y*·B_k / N); known before the output is computed. */
  | 'drtp';

/** Options shared by `gl.rules.dfa` and `gl.rules.drtp`. */
export interface FeedbackOptions extends CommonRuleOptions {
  /** The shallow baseline: hidden layers frozen at their initialisation, only the output layer trained. */
  shallow?: boolean;
  /** Output loss of a classification task: `'ce'` (softmax cross-entropy, default) or `'bce'` (sigmoid + BCE against one-hot targets, the DRTP code's default). */
  loss?: 'ce' | 'bce';
}

/** A DFA/DRTP learner: its fixed feedback matrices can be read (and replayed from the seed). */
export interface FeedbackLearner extends Learner {
  /** B_k [classes, units of hidden layer k] for every hidden layer, in order. */
  feedback(): Tensor[];
}

interface FeedbackPlan {
  bm: BlockModel;
  hidden: LinearBlock[];
  output: LinearBlock;
}

/** The model's hidden blocks and output Linear, or a RuleModelError saying what the rule needs. */
export function feedbackPlan(rule: string, model: Module, task: TaskSpec): FeedbackPlan {
  requireParameters(rule, model);
  const bm = splitBlocks(rule, model, task);
  const output = bm.blocks[bm.blocks.length - 1];
  if (output.post.length > 0 || output.linear.outFeatures !== task.outputs)
    throw new RuleModelError(
      `${rule}: the model must end with a Linear giving the ${task.outputs} outputs (logits; put a sigmoid in the loss with loss: 'bce'), got ${output.linear.outFeatures} outputs${output.post.length ? ` followed by ${output.post.map((m) => m.constructor.name).join(', ')}` : ''}`,
    );
  if (bm.blocks.length < 2)
    throw new RuleModelError(
      `${rule}: needs at least one hidden Linear layer before the output Linear; the model has one Linear`,
    );
  return { bm, hidden: bm.blocks.slice(0, -1), output };
}

/**
 * Fixed feedback matrices B_k [classes, n_k], Kaiming-uniform (bound √(6/n_k)) drawn in layer order from `gen`; kept out of enclosing tidy scopes (dispose them yourself).
 * @example const [b1, b2] = gl.rules.feedbackMatrices(10, [256, 128], new gl.Generator(0)); // [10, 256] and [10, 128]
 */
export function feedbackMatrices(classes: number, widths: readonly number[], gen: Generator): Tensor[] {
  return widths.map((n) => {
    const bound = Math.sqrt(6 / n);
    return keep(noGrad(() => sub(mul(rand([classes, n], { generator: gen }), 2 * bound), bound)));
  });
}

interface Signal {
  /** The signal [N, n_k] a hidden layer's output gets instead of its gradient. */
  (B: Tensor): Tensor;
}

/**
 * Identity on `h` whose backward discards the incoming gradient and returns `ctx.signal(B)` instead
 * (the DRTP code's `HookFunction`): whatever flows back from above is replaced, so no error crosses it.
 */
const replaceGrad = customGrad({
  name: 'feedback',
  forward(ctx: CustomContext, h: Tensor, signal: Signal, B: Tensor, saved: Tensor | null) {
    ctx.signal = signal;
    ctx.B = B;
    if (saved) ctx.save(saved);
    return h;
  },
  backward(ctx: CustomContext) {
    return [(ctx.signal as Signal)(ctx.B as Tensor), null, null, null];
  },
});

/** Builds a learner for `signal` over `model` (shared by dfa and drtp). */
export function createFeedbackLearner(
  rule: string,
  model: Module,
  task: TaskSpec,
  signal: FeedbackSignal,
  options: FeedbackOptions & { inForward?: boolean },
): FeedbackLearner {
  const { bm, hidden, output } = feedbackPlan(rule, model, task);
  const lossKind = options.loss ?? 'ce';
  if (lossKind !== 'ce' && lossKind !== 'bce')
    throw new ArgumentError(`${rule}: loss must be 'ce' or 'bce', got '${String(lossKind)}'`);
  if (lossKind === 'bce' && task.kind !== 'classification')
    throw new RuleModelError(`${rule}: loss 'bce' needs a classification task`);
  const shallow = options.shallow === true;
  const inForward = options.inForward === true;
  const C = task.outputs;
  const gen = options.generator ?? new Generator(0);
  const B = feedbackMatrices(
    C,
    hidden.map((b) => b.linear.outFeatures),
    gen,
  );
  const trainable = (b: LinearBlock): Parameter[] => b.linear.parameters().filter((p) => p.requiresGrad);
  const trained = shallow ? [output] : [...hidden, output];
  const optimizers: Optimizer<BaseHyper>[] = trained.map((b) => ruleOptimizer(trainable(b), options, 1e-3));
  const params = trained.flatMap(trainable);

  const outputLoss = (logits: Tensor, y: Tensor): Tensor =>
    lossKind === 'bce' ? bceWithLogits(logits, cast(oneHot(y, C), logits.dtype)) : taskLoss(task, logits, y);
  const target = (y: Tensor, dtype: Tensor['dtype']): Tensor => cast(oneHot(y, C), dtype);

  const learner: FeedbackLearner = {
    rule,
    async step(x: Tensor, y: Tensor) {
      const { value, stats } = await measureStep(params, (fwd) => {
        releaseGrads(params);
        model.train();
        fwd.add();
        return tidy(() => {
          const n = x.shape[0];
          let h = runPre(bm, x);
          const ystar = signal === 'drtp' ? target(y, h.dtype) : null;
          if (shallow) {
            h = noGrad(() => hidden.reduce((a, b) => runBlock(b, a), h));
          } else if (inForward) {
            // no update locking: each hidden layer is updated as soon as its forward is done
            hidden.forEach((b, k) => {
              h = tidy(() => {
                const z = runBlock(b, h.detach());
                z.backward(div(matmul(ystar!, B[k]), n));
                optimizers[k].step();
                return z.detach();
              });
            });
            h = h.detach();
          } else {
            const err: { e: Tensor | null } = { e: null };
            const sig: Signal =
              signal === 'drtp'
                ? (Bk) => div(matmul(ystar!, Bk), n)
                : signal === 'dfa'
                  ? (Bk) => matmul(err.e!, Bk)
                  : (Bk) => div(matmul(sign(err.e!), Bk), n);
            hidden.forEach((b, k) => {
              h = replaceGrad(runBlock(b, h), sig, B[k], ystar);
            });
            const logits = output.linear.forward(h);
            if (signal !== 'drtp') logits.registerHook((g) => void (err.e = g));
            const loss = outputLoss(logits, y);
            loss.backward();
            for (const o of optimizers) o.step();
            return loss.detach();
          }
          const loss = outputLoss(output.linear.forward(h), y);
          loss.backward();
          optimizers[optimizers.length - 1].step();
          return loss.detach();
        });
      });
      const loss = await value.itemAsync();
      value.dispose();
      return { loss, stats };
    },
    predict(x: Tensor): Tensor {
      model.eval();
      return noGrad(() => model.forward(x) as Tensor);
    },
    feedback: () => B,
    parameters: () => params,
    dispose(): void {
      releaseGrads(params);
      for (const b of B) b.dispose();
    },
  };
  return learner;
}
