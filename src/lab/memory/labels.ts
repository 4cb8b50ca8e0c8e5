// Module labels: wraps each submodule's forward in gl.scope(<its name>) so the tape records module paths.
import { scope } from '../../core/state.js';
import type { Module } from '../../nn/module.js';

type Forward = (...args: unknown[]) => unknown;

/**
 * Makes every op recorded inside a submodule's forward carry the module's path as its scope
 * (`encoder/layers/0/linear1`); returns a function that undoes it.
 * @example
 * const undo = gl.lab.memory.labelModules(model, 'model');
 * const y = model.forward(x); // gl.graph(y) now names modules
 * undo();
 */
export function labelModules(model: Module, rootName?: string): () => void {
  const undo: (() => void)[] = [];
  // full paths of the labelled modules running now: a child called outside its parent's forward (a
  // ModuleList iterated by its owner) still gets its whole path, not only its own name
  const active: string[] = [];
  for (const [path, m] of model.namedModules()) {
    const full = [rootName, ...(path === '' ? [] : path.split('.'))].filter((p) => p).join('/');
    if (!full) continue;
    const target = m as unknown as { forward: Forward };
    const had = Object.prototype.hasOwnProperty.call(target, 'forward');
    const inner = target.forward;
    target.forward = (...args: unknown[]) => {
      const outer = active.length ? active[active.length - 1] : '';
      const name = outer && full.startsWith(outer + '/') ? full.slice(outer.length + 1) : full;
      active.push(full);
      try {
        return scope(name, () => inner.apply(m, args));
      } finally {
        active.pop();
      }
    };
    undo.push(() => {
      if (had) target.forward = inner;
      else delete (target as { forward?: Forward }).forward;
    });
  }
  return () => {
    for (const u of undo.reverse()) u();
  };
}
