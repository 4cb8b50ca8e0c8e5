// The min-heap behind the webgpu buffer pool's free lists: pops in key order whatever the push order.
import { describe, expect, it } from 'vitest';
import { MinHeap } from '../../src/backends/webgpu/min-heap.js';

describe('MinHeap', () => {
  it('pops items in ascending key order for shuffled pushes, interleaved with pops', () => {
    const keys = Array.from({ length: 500 }, (_, i) => (i * 263) % 500); // 263 is prime to 500: a permutation
    const h = new MinHeap<string>();
    const popped: number[] = [];
    keys.forEach((k, i) => {
      h.push(`item${k}`, k);
      if (i % 7 === 6) popped.push(Number(h.pop()!.slice(4)));
    });
    while (h.size) popped.push(Number(h.pop()!.slice(4)));
    expect(popped).toHaveLength(500);
    expect(h.pop()).toBeUndefined();
    // every pop returned the smallest key pushed so far and not yet popped
    const seen = new Set<number>();
    let pushed = 0;
    let at = 0;
    keys.forEach((k, i) => {
      seen.add(k);
      pushed++;
      if (i % 7 === 6) {
        const min = Math.min(...seen);
        expect(popped[at++]).toBe(min);
        seen.delete(min);
      }
    });
    expect(popped.slice(at)).toEqual([...seen].sort((a, b) => a - b));
    expect(pushed).toBe(500);
  });
});
