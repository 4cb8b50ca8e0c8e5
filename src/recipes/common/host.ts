// Builds recipe splits on a host backend (synchronous reads, host memory), then hands them to the current backend.
import { BackendError } from '../../core/errors.js';
import {
  availableBackends,
  backendCapabilities,
  currentBackend,
  setBackend,
} from '../../core/backend-registry.js';
import type { Split } from './train.js';

/** A train and a test split. */
export interface Splits {
  train: Split;
  test: Split;
}

/**
 * Runs `build` with new tensors created on a backend whose storages are host memory readable at once
 * (the current backend when it is one), then moves the splits to the current backend. Recipe data is
 * host data (files, embedded arrays); selecting examples by label reads their values, which an
 * asynchronous device (webgpu) cannot give synchronously.
 * @example const { train, test } = onHostBackend(() => ({ train: take(ds.train, 256), test: take(ds.test, 128) }));
 */
export function onHostBackend(build: () => Splits): Splits {
  const device = currentBackend();
  if (device.capabilities.syncRead && device.capabilities.hostMemory) return build();
  const host = availableBackends().find((n) => {
    const c = backendCapabilities(n);
    return c.syncRead && c.hostMemory;
  });
  if (host === undefined)
    throw new BackendError(
      `recipe data: the '${device.name}' backend cannot read synchronously and no backend with host memory is available to build the splits on`,
    );
  void setBackend(host); // a synchronous backend switches at once
  let built: Splits;
  try {
    built = build();
  } finally {
    void setBackend(device.name); // already set up, so it switches back at once
  }
  const move = (s: Split): Split => {
    const out = { x: s.x.to(device.name), y: s.y.to(device.name) };
    s.x.dispose();
    s.y.dispose();
    return out;
  };
  return { train: move(built.train), test: move(built.test) };
}
