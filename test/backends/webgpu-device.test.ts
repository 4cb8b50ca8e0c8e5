// The webgpu device setup in Node, in a fresh process: Dawn starts without printing anything on a headless machine.
import { spawnSync } from 'node:child_process';
import { pathToFileURL } from 'node:url';
import { expect, it } from 'vitest';
import { distFile } from '../helpers/dist.js';
import { needs, webgpuMissing } from '../helpers/optional.js';

needs('webgpu', await webgpuMissing())('webgpu setup in a fresh Node process', () => {
  it("prints nothing to stderr with XDG_RUNTIME_DIR and WAYLAND_DISPLAY unset (no libwayland 'XDG_RUNTIME_DIR' error)", () => {
    const env = { ...process.env };
    delete env.XDG_RUNTIME_DIR;
    delete env.WAYLAND_DISPLAY;
    delete env.GRADLAB_BACKEND;
    const script = `
      const gl = await import(${JSON.stringify(pathToFileURL(distFile('src/index.js')).href)});
      await gl.setBackend('webgpu');
      const y = gl.tensor([1, 2, 3]).mul(2);
      console.log(gl.getBackend(), Array.from(await y.data()).join(','), process.env.WAYLAND_DISPLAY ?? 'unset');`;
    const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], { env, encoding: 'utf8' });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    // the computation ran on webgpu, and the variable set for the adapter request is gone again
    expect(r.stdout).toBe('webgpu 2,4,6 unset\n');
  });
});
