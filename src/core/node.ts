// Tape nodes: one recorded op with its input edges, saved entries and rule; the inspectable record of the graph.
import type { DType } from './dtype.js';
import { releaseAccounts, SavedSlot, savedObservers, type SavedAccount } from './saved.js';
import type { Tensor } from './tensor.js';
import type { GradThunk } from './vjp-types.js';

/** Where an input's gradient goes: another node's output, or a leaf tensor's accumulator. */
export type Edge = { node: Node; index: number; leaf: null } | { node: null; index: 0; leaf: Tensor };

/** A function computing input-gradient thunks from unpacked saved tensors and output gradients. */
export type BackwardFn = (
  saved: (Tensor | null)[],
  grads: Tensor[],
  needs: readonly boolean[],
) => GradThunk[];

/** A gradient hook: sees the gradient, may return a replacement. */
export type GradHook = (grad: Tensor) => Tensor | void;

const abandoned = new FinalizationRegistry<SavedAccount[]>((accounts) => releaseAccounts(accounts));

/** One recorded operation on the tape. */
export class Node {
  readonly id: number;
  /** The primitive name, or the custom function's name. */
  readonly op: string;
  readonly params: unknown;
  readonly inputs: (Edge | null)[];
  readonly inputShapes: (readonly number[])[];
  readonly inputDTypes: DType[];
  readonly outputShapes: (readonly number[])[];
  readonly outputDTypes: DType[];
  readonly scope: string;
  saved: SavedSlot[] | null = [];
  /** Set when backward freed the saved entries. */
  released = false;
  backward: BackwardFn | null = null;
  /** Hooks on each output's gradient (registered through tensors), and tensors that retain their grad. */
  outputHooks: GradHook[][] | null = null;
  retained: (Tensor | null)[] | null = null;
  /**
   * What the `abandoned` finalizer watches instead of the node itself: an object registered with a
   * FinalizationRegistry survives V8's young collections, and the node would keep its saved tensors
   * (and their memory) with it until a full one.
   */
  private readonly life = {};

  constructor(
    id: number,
    op: string,
    params: unknown,
    inputs: readonly Tensor[],
    outputs: { shape: readonly number[]; dtype: DType }[],
    scope: string,
  ) {
    this.id = id;
    this.op = op;
    this.params = params;
    this.scope = scope;
    this.inputs = inputs.map(edgeOf);
    this.inputShapes = inputs.map((t) => t.shape);
    this.inputDTypes = inputs.map((t) => t.dtype);
    this.outputShapes = outputs.map((o) => o.shape);
    this.outputDTypes = outputs.map((o) => o.dtype);
  }

  /** Saves tensors through the saved-tensor machinery (hooks, accounting). */
  save(tensors: readonly (Tensor | null)[]): void {
    for (const t of tensors) {
      const slot = t ? new SavedSlot(t) : null;
      this.saved!.push(slot as SavedSlot);
      if (slot && savedObservers.length)
        for (const o of savedObservers)
          o.onSave({
            account: slot.account,
            op: this.op,
            scope: this.scope,
            shape: slot.shape,
            dtype: slot.dtype,
            leaf: slot.isLeaf,
            packed: slot.account.storage === null,
            addedBytes: slot.addedBytes,
          });
    }
  }

  /** Arms the finalizer that releases accounting if the graph is dropped without backward. */
  seal(): void {
    if (this.saved && this.saved.some((s) => s)) abandoned.register(this.life, this.accounts(), this.life);
  }

  private accounts(): SavedAccount[] {
    return (this.saved ?? []).filter((s) => s).map((s) => s.account);
  }

  /** Bytes held by this node's saved entries (a storage shared with other saves counts in each). */
  get savedBytes(): number {
    let b = 0;
    for (const s of this.saved ?? []) if (s) b += s.bytes;
    return b;
  }

  /** Frees the saved entries (backward without retainGraph); a node that saved nothing stays usable. */
  release(): void {
    if (!this.saved || !this.saved.some((s) => s)) return;
    abandoned.unregister(this.life);
    releaseAccounts(this.accounts());
    this.saved = null;
    this.released = true;
  }
}

/** The edge an input contributes: its producing node, its leaf accumulator, or nothing. */
export function edgeOf(t: Tensor): Edge | null {
  if (t.gradFn) return { node: t.gradFn, index: t._outputIndex, leaf: null };
  if (t.requiresGrad) return { node: null, index: 0, leaf: t };
  return null;
}
