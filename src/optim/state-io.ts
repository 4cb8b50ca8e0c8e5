// Flattening optimizer state dicts into named tensors plus one JSON string (the safetensors layout) and back.
import { ArgumentError } from '../core/errors.js';
import { Tensor } from '../core/tensor.js';
import type { Json, OptimizerStateDict, ParamState } from './types.js';

const FORMAT = 'gradlab.optim/1';

/** An optimizer state dict as tensors and one JSON string (safetensors metadata values are strings). */
export interface FlatStateDict {
  /** `${prefix}state.${i}.${name}`, e.g. `optimizer.state.0.exp_avg`. */
  tensors: Record<string, Tensor>;
  /** JSON of `{ format, prefix, state (numbers only), paramGroups, transforms }`. */
  metadata: string;
}

/**
 * Splits a state dict into tensors (named `${prefix}state.<param index>.<entry>`) and a JSON
 * string with everything else, ready for `gl.saveSafetensors(path, tensors, { optimizer: metadata })`.
 * @example const { tensors, metadata } = gl.optim.flattenStateDict(opt.stateDict(), 'optimizer.');
 */
export function flattenStateDict(sd: OptimizerStateDict, prefix = ''): FlatStateDict {
  const tensors: Record<string, Tensor> = {};
  const numbers: Record<string, Record<string, number>> = {};
  for (const [i, entries] of Object.entries(sd.state)) {
    numbers[i] = {};
    for (const [name, v] of Object.entries(entries)) {
      if (v instanceof Tensor) tensors[`${prefix}state.${i}.${name}`] = v;
      else numbers[i][name] = v;
    }
  }
  const meta: Json = {
    format: FORMAT,
    prefix,
    state: numbers,
    paramGroups: sd.paramGroups,
    transforms: sd.transforms,
  };
  return { tensors, metadata: JSON.stringify(meta) };
}

/**
 * Rebuilds a state dict from flattenStateDict's output (tensors may hold more keys; only
 * `${prefix}state.*` ones are read).
 * @example opt.loadStateDict(gl.optim.unflattenStateDict({ tensors, metadata }));
 */
export function unflattenStateDict(flat: FlatStateDict): OptimizerStateDict {
  let meta: { format?: string; prefix?: string; state?: Record<string, Record<string, number>> } & Partial<
    Omit<OptimizerStateDict, 'state'>
  >;
  try {
    meta = JSON.parse(flat.metadata);
  } catch (e) {
    throw new ArgumentError(`unflattenStateDict: metadata is not valid JSON (${(e as Error).message})`);
  }
  if (meta?.format !== FORMAT || !Array.isArray(meta.paramGroups))
    throw new ArgumentError(`unflattenStateDict: metadata is not a ${FORMAT} optimizer state`);
  const prefix = meta.prefix ?? '';
  const state: Record<number, ParamState> = {};
  for (const [i, nums] of Object.entries(meta.state ?? {})) state[Number(i)] = { ...nums };
  const head = `${prefix}state.`;
  for (const [key, t] of Object.entries(flat.tensors)) {
    if (!key.startsWith(head)) continue;
    const rest = key.slice(head.length);
    const dot = rest.indexOf('.');
    const i = Number(rest.slice(0, dot));
    if (dot <= 0 || !Number.isInteger(i))
      throw new ArgumentError(`unflattenStateDict: bad tensor name '${key}'`);
    (state[i] ??= {})[rest.slice(dot + 1)] = t;
  }
  return { state, paramGroups: meta.paramGroups, transforms: meta.transforms ?? [] };
}
