// The switch for layer fusion: Linear and Conv2d as one fused epilogue node (bias, and a following ReLU/Tanh/Sigmoid in a Sequential).
import type { EpilogueActivation } from '../core/fused-kernels.js';
import { ReLU, Sigmoid, Tanh } from './activation.js';
import { state } from '../core/state.js';
import type { Module } from './module.js';

let enabled = true;

/**
 * Turns layer fusion on or off (on by default) and returns the previous setting. When on, Linear and
 * Conv2d add their bias in the fused epilogue (on the tape as one node), and a Sequential runs a
 * Linear or Conv2d followed by a ReLU, Tanh or Sigmoid as one epilogue too. Values and gradients are
 * the same either way (to float rounding); turning it off runs the separate ops, e.g. to see each one
 * on the tape.
 * @example const was = gl.nn.setLayerFusion(false); try { inspect(model) } finally { gl.nn.setLayerFusion(was) }
 */
export function setLayerFusion(on: boolean): boolean {
  const was = enabled;
  enabled = on;
  return was;
}

/** Whether layer fusion is on (never inside gl.overrideGrad: per-primitive overrides must see the separate ops). */
export function layerFusion(): boolean {
  return enabled && state.overrides.length === 0;
}

/** A layer whose forward can take the activation that follows it into its epilogue. */
export interface EpilogueLayer {
  /** forward(x) followed by `act`, as one epilogue; null when this call cannot fuse (the caller runs them apart). */
  _forwardAct(x: unknown, act: EpilogueActivation): unknown;
}

/** Whether `m` has _forwardAct. */
export function hasEpilogue(m: Module): m is Module & EpilogueLayer {
  return typeof (m as Partial<EpilogueLayer>)._forwardAct === 'function';
}

/** The epilogue activation a built-in activation module is (exact class), or null. */
export function epilogueActivation(m: Module): Exclude<EpilogueActivation, 'none'> | null {
  const c = m.constructor;
  return c === ReLU ? 'relu' : c === Tanh ? 'tanh' : c === Sigmoid ? 'sigmoid' : null;
}
