// Strict JSON checks for configs, results and event data: reject what JSON.stringify would mangle.
import { ArgumentError } from '../core/errors.js';
import type { JsonObject, JsonValue } from './types.js';

/**
 * Checks that `value` is plain JSON (no functions, undefined in arrays, NaN, bigint, class
 * instances) and returns it typed; `what` names it in the ArgumentError.
 *
 * @example
 * checkJson({ lr: 0.01, layers: [784, 10] }, 'config'); // ok
 * checkJson({ lr: NaN }, 'config'); // ArgumentError: config.lr: expected a JSON value, got NaN
 */
export function checkJson(value: unknown, what: string): JsonValue {
  visit(value, what, new Set());
  return value as JsonValue;
}

/** Like `checkJson`, and the value must be an object (not an array or null). */
export function checkJsonObject(value: unknown, what: string): JsonObject {
  if (!isPlainObject(value)) {
    throw new ArgumentError(`${what}: expected a JSON object, got ${describe(value)}`);
  }
  return checkJson(value, what) as JsonObject;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return false;
  const proto = Object.getPrototypeOf(v) as unknown;
  return proto === Object.prototype || proto === null;
}

function describe(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  if (typeof v === 'number') return String(v);
  if (typeof v === 'object') return `an instance of ${(v as object).constructor?.name ?? 'an unknown class'}`;
  return typeof v;
}

function visit(v: unknown, where: string, seen: Set<object>): void {
  switch (typeof v) {
    case 'string':
    case 'boolean':
      return;
    case 'number':
      if (!Number.isFinite(v)) throw new ArgumentError(`${where}: expected a JSON value, got ${v}`);
      return;
    case 'object':
      if (v === null) return;
      if (seen.has(v)) throw new ArgumentError(`${where}: expected a JSON value, got a circular reference`);
      seen.add(v);
      if (Array.isArray(v)) {
        v.forEach((x, i) => visit(x, `${where}[${i}]`, seen));
      } else if (isPlainObject(v)) {
        for (const [k, x] of Object.entries(v)) if (x !== undefined) visit(x, `${where}.${k}`, seen);
      } else {
        throw new ArgumentError(`${where}: expected a JSON value, got ${describe(v)}`);
      }
      seen.delete(v);
      return;
    default:
      throw new ArgumentError(`${where}: expected a JSON value, got ${describe(v)}`);
  }
}
