// Launches Debian's Chromium headless with WebGPU on SwiftShader, through playwright-core (no browser download).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext } from 'playwright-core';
import { CHROMIUM, chromiumMissing } from '../helpers/optional.js';

/**
 * Flags. WebGPU: `--enable-unsafe-webgpu` is what gives an adapter here (without it requestAdapter()
 * returns null); `--use-webgpu-adapter=swiftshader` pins it to the CPU adapter. `--disable-gpu` and
 * `--enable-features=Vulkan`/`--use-angle=swiftshader` make no difference to WebGPU here (checked with
 * Chromium 156). The rest keep Chromium off the network (closed on this machine) and quiet.
 */
export const CHROMIUM_FLAGS = [
  '--enable-unsafe-webgpu',
  '--use-webgpu-adapter=swiftshader',
  '--disable-gpu',
  '--no-sandbox',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** A headless Chromium with a fresh profile; `close()` also deletes the profile folder. */
export async function launchChromium(): Promise<{ context: BrowserContext; close: () => Promise<void> }> {
  const missing = chromiumMissing();
  if (missing) throw new Error(missing);
  const profile = mkdtempSync(join(tmpdir(), 'gradlab-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: CHROMIUM_FLAGS,
    timeout: 60_000,
  });
  return {
    context,
    close: async () => {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}
