// Process-wide engine state: grad mode, anomaly mode, scope names, override and saved-tensor hook stacks.
import type { SavedTensorHooks } from './saved.js';
import type { VjpRuleTable } from './vjp-types.js';

export const state = {
  gradEnabled: true,
  anomaly: false,
  /** True while backward rules run: forward anomaly checks are left to the backward pass, which names the rule's op. */
  inBackward: false,
  scopes: [] as string[],
  overrides: [] as Partial<VjpRuleTable>[],
  savedHooks: [] as SavedTensorHooks[],
  nextNodeId: 1,
};

function withFlag<T>(key: 'gradEnabled' | 'anomaly', value: boolean, fn: () => T): T {
  const prev = state[key];
  state[key] = value;
  try {
    return fn();
  } finally {
    state[key] = prev;
  }
}

/**
 * Runs `fn` with gradient recording off: nothing is taped, nothing is saved.
 * @example const y = gl.noGrad(() => model.forward(x));
 */
export function noGrad<T>(fn: () => T): T {
  return withFlag('gradEnabled', false, fn);
}

/**
 * Runs `fn` with gradient recording on (inside a noGrad region, for example).
 * @example
 * const y = gl.noGrad(() => gl.enableGrad(() => gl.ones([2], { requiresGrad: true }).mul(2)));
 * y.requiresGrad; // true
 */
export function enableGrad<T>(fn: () => T): T {
  return withFlag('gradEnabled', true, fn);
}

/**
 * Whether operations are being recorded for backward now (false inside noGrad).
 * @example gl.noGrad(() => gl.isGradEnabled()); // false
 */
export function isGradEnabled(): boolean {
  return state.gradEnabled;
}

/**
 * Sets grad mode globally and returns the previous value.
 * @example
 * const prev = gl.setGradEnabled(false);
 * gl.ones([2], { requiresGrad: true }).mul(2).requiresGrad; // false
 * gl.setGradEnabled(prev);
 */
export function setGradEnabled(on: boolean): boolean {
  const prev = state.gradEnabled;
  state.gradEnabled = on;
  return prev;
}

/**
 * Runs `fn` with anomaly detection: the first op whose forward output or backward gradient holds NaN
 * or Inf throws an AnomalyError naming the op and scope.
 * @example gl.detectAnomaly(() => loss.backward());
 */
export function detectAnomaly<T>(fn: () => T): T {
  return withFlag('anomaly', true, fn);
}

/**
 * Names the ops recorded inside `fn` (nested scopes join with '/'); the names show in the tape,
 * memory timelines and errors.
 * @example gl.scope('encoder', () => layer.forward(x));
 */
export function scope<T>(name: string, fn: () => T): T {
  state.scopes.push(name);
  try {
    return fn();
  } finally {
    state.scopes.pop();
  }
}

export function currentScope(): string {
  return state.scopes.join('/');
}
