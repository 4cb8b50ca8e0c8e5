// Tests that need an optional part (native addon, Chromium, a WebGPU adapter, Fashion-MNIST) skip with a printed reason.
import { existsSync } from 'node:fs';
import { describe, it } from 'vitest';
import * as gl from '../../src/index.js';
import { backendByName } from '../../src/core/backend-registry.js';
import { FASHION_MNIST_DIR } from '../../src/data/datasets.js';

/** The optional parts of a machine that some tests need; `.ci/run` installs all of them. */
export type OptionalPart = 'native' | 'chromium' | 'webgpu' | 'fashion-mnist';

const PARTS: readonly OptionalPart[] = ['native', 'chromium', 'webgpu', 'fashion-mnist'];

/**
 * The parts this run must have, so that their tests fail instead of skipping: `GRADLAB_REQUIRE` is a
 * comma-separated list of parts or `all` (CI sets `all`); `GRADLAB_REQUIRE_NATIVE=1` adds `native`.
 */
export function requiredParts(env: NodeJS.ProcessEnv = process.env): Set<OptionalPart> {
  const out = new Set<OptionalPart>();
  for (const word of (env.GRADLAB_REQUIRE ?? '').split(',').map((w) => w.trim())) {
    if (word === 'all') PARTS.forEach((p) => out.add(p));
    else if ((PARTS as readonly string[]).includes(word)) out.add(word as OptionalPart);
    else if (word)
      throw new Error(`GRADLAB_REQUIRE: unknown part '${word}' (known: ${PARTS.join(', ')}, all)`);
  }
  if (env.GRADLAB_REQUIRE_NATIVE === '1') out.add('native');
  return out;
}

const announced = new Set<string>();

/** Prints `skipped (<part> unavailable): <why>` once per test file. */
function announce(part: OptionalPart, why: string): void {
  const line = `skipped (${part} unavailable): ${why}`;
  if (announced.has(line)) return;
  announced.add(line);
  console.info(line);
}

/**
 * `describe` for a block that needs `part`; `why` is null when the part is present, else the reason it
 * is missing. Missing: the block is skipped and the reason printed, or, when this run requires the part
 * (`GRADLAB_REQUIRE`), the block becomes one failing test that says why.
 * @example needs('chromium', chromiumMissing())('the browser entry', () => { it(...) });
 */
export function needs(part: OptionalPart, why: string | null): (name: string, fn: () => void) => void {
  if (why === null) return (name, fn) => describe(name, fn);
  if (requiredParts().has(part))
    return (name) =>
      describe(name, () => {
        it(`has ${part} (required by GRADLAB_REQUIRE)`, () => {
          throw new Error(`${part} is required in this run but unavailable: ${why}`);
        });
      });
  announce(part, why);
  return (name, fn) => describe.skip(name, fn);
}

/** The system Chromium the browser tests drive (Debian package `chromium`); CHROMIUM_PATH overrides. */
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** Why Chromium cannot be used here, or null. */
export function chromiumMissing(): string | null {
  return existsSync(CHROMIUM)
    ? null
    : `${CHROMIUM} not found (install Debian's chromium: apt-get install -y chromium; CHROMIUM_PATH overrides the path)`;
}

/** Why the native backend does not load here (its loader's message), or null. */
export function nativeMissing(): string | null {
  if (gl.availableBackends().includes('native')) return null;
  try {
    backendByName('native');
    return null;
  } catch (err) {
    return (err as Error).message;
  }
}

/** Why Fashion-MNIST is not installed here, or null. */
export function fashionMnistMissing(): string | null {
  return existsSync(FASHION_MNIST_DIR)
    ? null
    : `${FASHION_MNIST_DIR} not found (apt-get install -y dataset-fashion-mnist)`;
}

/** Why no WebGPU device can be set up here (in Node, through Dawn), or null. */
export { webgpuUnavailable as webgpuMissing } from './backends.js';

/**
 * A spawned gradlab's stderr without the one-line notice it prints when the native backend does not
 * load (`gradlab: backend 'native' unavailable (...); using 'js'`); unchanged when native loads here.
 */
export function withoutNativeNotice(stderr: string): string {
  if (nativeMissing() === null) return stderr;
  return stderr.replace(/^gradlab: backend 'native' unavailable \(.*\); using 'js'\n/m, '');
}
