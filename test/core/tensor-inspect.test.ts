// console.log(tensor): values laid out as PyTorch's repr (fixtures from test/fixtures/core/generate_repr_fixtures.py).
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import * as gl from '../../src/index.js';
import { formatValues } from '../../src/core/tensor-inspect.js';
import type { DType } from '../../src/core/dtype.js';

const FIXTURES = JSON.parse(
  readFileSync(
    path.join(path.dirname(fileURLToPath(import.meta.url)), '../fixtures/core/tensor_repr.json'),
    'utf8',
  ),
) as Record<string, { shape: number[]; dtype: DType; values: (number | boolean | string)[]; repr: string }>;

/** The fixture's values with "nan"/"inf"/"-inf" (JSON has no such numbers) turned back into numbers. */
function values(v: (number | boolean | string)[]): (number | boolean)[] {
  return v.map((x) => (typeof x === 'string' ? (x === 'nan' ? NaN : x === 'inf' ? Infinity : -Infinity) : x));
}

/** PyTorch's repr without "tensor(" and its trailing ", dtype=...)" / ")". */
function torchValues(repr: string): string {
  return repr.slice('tensor('.length).replace(/(, dtype=torch\.\w+)?\)$/, '');
}

describe('tensor inspect', () => {
  for (const [name, f] of Object.entries(FIXTURES)) {
    if (f.dtype === 'bool') continue; // checked below: true/false are JavaScript's words, not Python's
    it(`values lay out as PyTorch's repr: ${name}`, () => {
      expect(formatValues(values(f.values), f.shape, f.dtype, 'tensor('.length)).toBe(torchValues(f.repr));
    });
  }

  it('booleans print as true/false, aligned', () => {
    const f = FIXTURES.bool;
    expect(formatValues(values(f.values), f.shape, 'bool', 7)).toBe('[ true, false,  true]');
  });

  it('console.log shows values, shape, dtype, device and gradFn / requiresGrad, never internals', async () => {
    await gl.setBackend('js');
    const x = gl.tensor(
      [
        [1, 2],
        [3, 4],
      ],
      { requiresGrad: true },
    );
    expect(inspect(x)).toBe(
      'tensor([[1., 2.],\n        [3., 4.]], shape=[2,2], dtype=float32, device=js, requiresGrad=true)',
    );
    const y = x.mul(0.5);
    expect(inspect(y)).toMatch(
      /^tensor\(\[\[0\.5000, 1\.0000\],\n {8}\[1\.5000, 2\.0000\]\], shape=\[2,2\], dtype=float32, device=js, gradFn=<\w+>\)$/,
    );
    expect(inspect({ t: gl.tensor([1, 2]) })).toContain('tensor([1., 2.], shape=[2]');
    const big = gl.zeros([40, 50]);
    const text = inspect(big);
    expect(text).toContain('...');
    expect(text.split('\n').length).toBeLessThan(20);
    big.dispose();
    expect(inspect(big)).toBe('tensor(<disposed>, shape=[40,50], dtype=float32, device=js)');
  });
});
