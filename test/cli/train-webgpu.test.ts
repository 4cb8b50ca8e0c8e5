// `gradlab train --backend webgpu` end to end (SwiftShader here): runs finish, record metrics, resume, and match js.
import { existsSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import * as gl from '../../src/index.js';
import { RunStore } from '../../src/store/index.js';
import { useTempDirs } from '../helpers/temp-dir.js';
import { gradlab, TINY, type CliResult } from './spawn.js';

const tempDir = useTempDirs('gradlab-cli-train-webgpu-');
const SWIFTSHADER = '/usr/lib/chromium/vk_swiftshader_icd.json';
const GPU_ENV: Record<string, string> = existsSync(SWIFTSHADER) ? { VK_ICD_FILENAMES: SWIFTSHADER } : {};

/** Why webgpu cannot run here (printed as the skip reason), or null when it set up. */
function webgpuMissing(r: CliResult): string | null {
  const m = /backend 'webgpu' is not available: [^\n]*/.exec(r.stderr);
  return m === null ? null : m[0];
}

function json(r: CliResult): Record<string, unknown> {
  // the Vulkan loader may print XDG_RUNTIME_DIR notices on stderr; gradlab itself prints nothing with --json
  expect(r.stderr.replace(/^error: XDG_RUNTIME_DIR[^\n]*\n/gim, '')).toBe('');
  expect(r.code).toBe(0);
  return JSON.parse(r.stdout) as Record<string, unknown>;
}

describe('gradlab train --backend webgpu', () => {
  it('trains one epoch, records per-step metrics and a checkpoint, and agrees with js', () => {
    const dir = tempDir();
    const args = ['train', '--epochs', '1', ...TINY, '--json'];
    const g = gradlab([...args, '--backend', 'webgpu'], dir, GPU_ENV, 300_000);
    const missing = webgpuMissing(g);
    if (missing !== null) {
      console.log(`skipped: ${missing}`);
      return;
    }
    const gpu = json(g);
    expect(gpu).toMatchObject({ backend: 'webgpu', epochs: 1, steps: 4, stopReason: null });
    const store = RunStore.open(path.join(dir, '.gradlab'), { readonly: true });
    const run = store.getRun(gpu.runId as string);
    store.close();
    expect(run.status).toBe('completed');
    expect(run.env.backend).toBe('webgpu');
    expect(run.metrics.loss.steps).toEqual([1, 2, 3, 4]);
    expect(run.metrics.loss.values.every((v) => Number.isFinite(v))).toBe(true);
    expect(run.results).toMatchObject({ testAccuracy: gpu.testAccuracy, steps: 4 });
    expect(run.checkpoints.map((c) => c.step)).toEqual([4]);
    // the checkpoint written from the GPU is a complete, readable one
    const ck = gl.train.readCheckpoint(gpu.checkpoint as string);
    expect(ck.state.step).toBe(4);
    expect(Object.keys(ck.tensors).filter((k) => k.startsWith('model.')).length).toBeGreaterThan(0);

    // the same program on js: same data, initialisation and steps; float32 sums on the GPU are
    // ordered differently, so losses agree to float32 rounding (~1e-7 relative), not bitwise
    const cpu = json(gradlab([...args, '--backend', 'js'], tempDir()));
    expect(gpu.testLoss as number).toBeCloseTo(cpu.testLoss as number, 4);
    expect(gpu.trainLoss as number).toBeCloseTo(cpu.trainLoss as number, 4);
    expect(gpu.trainAccuracy).toBe(cpu.trainAccuracy);
    expect(gpu.testAccuracy).toBe(cpu.testAccuracy);
  });

  it('a webgpu run resumed from its checkpoint ends where an uninterrupted js run ends', () => {
    const dir = tempDir();
    const gpu = ['--backend', 'webgpu'];
    const part = gradlab(['train', '--epochs', '1', ...TINY, '--json', ...gpu], dir, GPU_ENV, 300_000);
    const missing = webgpuMissing(part);
    if (missing !== null) {
      console.log(`skipped: ${missing}`);
      return;
    }
    const id = json(part).runId as string;
    // a resumed run keeps its backend (webgpu) without the flag
    const rest = json(gradlab(['train', '--resume', id, '--epochs', '2', '--json'], dir, GPU_ENV, 300_000));
    expect(rest).toMatchObject({ runId: id, backend: 'webgpu', steps: 8 });
    const full = json(gradlab(['train', '--epochs', '2', ...TINY, '--json', '--backend', 'js'], tempDir()));
    expect(rest.testLoss as number).toBeCloseTo(full.testLoss as number, 4);
    expect(rest.trainLoss as number).toBeCloseTo(full.trainLoss as number, 4);
    expect(rest.testAccuracy).toBe(full.testAccuracy);
  });
});
