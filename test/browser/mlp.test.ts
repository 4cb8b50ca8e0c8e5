// The browser check: a page bundled from gradlab's sources trains a tiny MLP on WebGPU in headless Chromium.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BrowserRun } from './page/train-mlp.js';
import { bundlePage } from './bundle.js';
import { CHROMIUM_FLAGS, launchChromium } from './chromium.js';

const STEPS = 40;
const HTML =
  '<!doctype html><meta charset="utf-8"><title>gradlab webgpu</title><script type="module" src="/train-mlp.js"></script>';

describe('gradlab in headless Chromium on WebGPU (SwiftShader)', () => {
  let server: Server;
  let base = '';
  let stubbed: string[] = [];
  let browser: Awaited<ReturnType<typeof launchChromium>> | undefined;

  beforeAll(async () => {
    const bundle = await bundlePage(fileURLToPath(new URL('./page/train-mlp.ts', import.meta.url)));
    stubbed = bundle.stubbed;
    server = createServer((req, res) => {
      if (req.url === '/') res.writeHead(200, { 'content-type': 'text/html' }).end(HTML);
      else if (req.url === '/train-mlp.js')
        res.writeHead(200, { 'content-type': 'text/javascript' }).end(bundle.code);
      else res.writeHead(404).end();
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    browser = await launchChromium();
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await new Promise((r) => server?.close(r));
  });

  it('bundles without Node built-ins leaking into the page (they are stubbed)', () => {
    // the main entry imports these for Node-only features (native addon, files, datasets)
    expect(stubbed).toEqual(expect.arrayContaining(['fs', 'path']));
  });

  it('trains a 2-16-2 MLP with Adam: the loss falls, memory stays flat', async () => {
    const page = await browser!.context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(base + '/');
    await page.waitForFunction(() => 'gradlabTrain' in globalThis, undefined, { timeout: 30_000 });
    expect(errors).toEqual([]);
    const run = await page.evaluate(
      (steps) =>
        (globalThis as unknown as { gradlabTrain: (n: number) => Promise<BrowserRun> }).gradlabTrain(steps),
      STEPS,
    );
    // no adapter in this Chromium means the browser check cannot run: fail loudly, never skip
    const flags = CHROMIUM_FLAGS.join(' ');
    expect(run.hasNavigatorGpu, `navigator.gpu is missing in headless Chromium (flags: ${flags})`).toBe(true);
    expect(run.setupError, `no WebGPU device in headless Chromium (flags: ${flags})`).toBeUndefined();
    expect(run.backend).toBe('webgpu');
    expect(run.adapter).toMatch(/swiftshader/i);
    expect(run.losses).toHaveLength(STEPS);
    expect(run.losses.every(Number.isFinite)).toBe(true);
    // two well-separated blobs: Adam should more than halve the cross-entropy in 40 steps
    expect(run.losses[STEPS - 1]).toBeLessThan(0.5 * run.losses[0]);
    expect(run.liveTensors[0]).toBeGreaterThan(0); // the model's parameters at least: a real count
    expect(run.liveTensors[1]).toBe(run.liveTensors[0]);
    console.info(
      `browser: ${run.adapter}; loss ${run.losses[0].toFixed(4)} -> ${run.losses[STEPS - 1].toFixed(4)}`,
    );
    await page.close();
  });
});
