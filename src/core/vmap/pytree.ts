// Arrays and plain objects of tensors (pytrees): flatten to leaves, rebuild, and match a prefix tree of dims.
import { VmapError } from '../errors.js';
import { Tensor } from '../tensor.js';

/** A nested structure of arrays and plain objects whose leaves are tensors (or other values). */
export type Tree<T = unknown> = T | readonly Tree<T>[] | { readonly [key: string]: Tree<T> };

/** Whether `v` is an array or a plain object (a node of a tree); tensors, modules, numbers are leaves. */
export function isNode(v: unknown): v is unknown[] | Record<string, unknown> {
  if (Array.isArray(v)) return true;
  if (v === null || typeof v !== 'object' || v instanceof Tensor) return false;
  const proto = Object.getPrototypeOf(v) as unknown;
  return proto === Object.prototype || proto === null;
}

/** The leaves of `tree` in order (arrays by index, objects by key order). */
export function leaves(tree: unknown): unknown[] {
  const out: unknown[] = [];
  const walk = (v: unknown) => {
    if (!isNode(v)) out.push(v);
    else if (Array.isArray(v)) v.forEach(walk);
    else Object.values(v).forEach(walk);
  };
  walk(tree);
  return out;
}

/** `tree` with every leaf replaced by `f(leaf, spec)`, where `spec` is the matching leaf of the prefix tree `specs`. */
export function mapWithSpec<S>(
  tree: unknown,
  specs: unknown,
  isSpecLeaf: (s: unknown) => s is S,
  f: (leaf: unknown, spec: S, path: string) => unknown,
  what: string,
  path = '',
): unknown {
  if (isSpecLeaf(specs)) {
    if (!isNode(tree)) return f(tree, specs, path);
    if (Array.isArray(tree))
      return tree.map((v, i) => mapWithSpec(v, specs, isSpecLeaf, f, what, `${path}[${i}]`));
    return Object.fromEntries(
      Object.entries(tree).map(([k, v]) => [k, mapWithSpec(v, specs, isSpecLeaf, f, what, `${path}.${k}`)]),
    );
  }
  if (Array.isArray(specs)) {
    if (!Array.isArray(tree) || tree.length !== specs.length)
      throw new VmapError(
        `vmap: ${what}${path} is an array of ${specs.length} dims but the value there is ${describe(tree)}`,
      );
    return tree.map((v, i) => mapWithSpec(v, specs[i], isSpecLeaf, f, what, `${path}[${i}]`));
  }
  if (isNode(specs) && isNode(tree) && !Array.isArray(tree)) {
    const keys = Object.keys(specs);
    const tk = Object.keys(tree);
    if (keys.length !== tk.length || keys.some((k) => !(k in tree)))
      throw new VmapError(
        `vmap: ${what}${path} has keys {${keys.join(', ')}} but the value there has {${tk.join(', ')}}`,
      );
    return Object.fromEntries(
      tk.map((k) => [
        k,
        mapWithSpec(tree[k], (specs as Record<string, unknown>)[k], isSpecLeaf, f, what, `${path}.${k}`),
      ]),
    );
  }
  throw new VmapError(
    `vmap: ${what}${path} must be a number, null, or an array/object matching the value; got ${describe(specs)} for ${describe(tree)}`,
  );
}

/** A short description of a value for error messages. */
export function describe(v: unknown): string {
  if (v instanceof Tensor) return `a tensor of shape [${v.shape.join(',')}]`;
  if (Array.isArray(v)) return `an array of length ${v.length}`;
  if (v === null) return 'null';
  if (isNode(v)) return `an object with keys {${Object.keys(v).join(', ')}}`;
  return typeof v === 'object'
    ? `a ${(v as object).constructor?.name ?? 'object'}`
    : `${typeof v} ${String(v)}`;
}

/** `tree` with every leaf replaced by `f(leaf, index)` (leaves numbered in `leaves` order). */
export function mapLeaves(tree: unknown, f: (leaf: unknown, index: number) => unknown): unknown {
  let k = 0;
  const walk = (v: unknown): unknown => {
    if (!isNode(v)) return f(v, k++);
    if (Array.isArray(v)) return v.map(walk);
    return Object.fromEntries(Object.entries(v).map(([key, x]) => [key, walk(x)]));
  };
  return walk(tree);
}
