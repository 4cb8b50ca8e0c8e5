// Progress reporter: ETA/rate/bar formatting, redraw throttling on a TTY, log lines otherwise, quiet.
import { describe, expect, it } from 'vitest';
import { formatEta, formatMetrics, formatRate, ProgressReporter, renderBar } from '../../src/cli/progress.js';

function fakeStream(tty: boolean, columns?: number) {
  const writes: string[] = [];
  return { writes, stream: { isTTY: tty, columns, write: (s: string) => writes.push(s) } };
}

describe('formatting', () => {
  it('formatEta', () => {
    expect(formatEta(0)).toBe('0:00');
    expect(formatEta(65)).toBe('1:05');
    expect(formatEta(59.6)).toBe('1:00');
    expect(formatEta(3723)).toBe('1:02:03');
    expect(formatEta(Infinity)).toBe('--:--');
    expect(formatEta(NaN)).toBe('--:--');
  });

  it('formatRate', () => {
    expect(formatRate(12.34)).toBe('12.3 it/s');
    expect(formatRate(250.4, 'step')).toBe('250 step/s');
    expect(formatRate(0.4)).toBe('2.50 s/it');
    expect(formatRate(0)).toBe('-- it/s');
  });

  it('renderBar', () => {
    expect(renderBar(0, 10)).toBe('[>         ]');
    expect(renderBar(0.5, 10)).toBe('[=====>    ]');
    expect(renderBar(0.99, 10)).toBe('[=========>]');
    expect(renderBar(1, 10)).toBe('[==========]');
    expect(renderBar(7, 4)).toBe('[====]');
    expect(renderBar(NaN, 4)).toBe('[>   ]');
  });

  it('formatMetrics', () => {
    expect(formatMetrics({ loss: 0.345678, acc: 0.9 })).toBe('loss 0.3457 acc 0.9');
    expect(formatMetrics({ loss: 2 }, '=')).toBe('loss=2');
  });
});

describe('ProgressReporter on a TTY', () => {
  it('redraws at most every redrawMs, with bar, percent, rate, ETA and metrics', () => {
    const clock = { t: 0 };
    const { writes, stream } = fakeStream(true);
    const p = new ProgressReporter({
      total: 100,
      label: 'epoch 1/2',
      stream,
      now: () => clock.t,
      barWidth: 10,
    });
    for (let i = 1; i <= 50; i++) {
      clock.t += 10; // 100 steps/s
      p.update(i, { loss: 1 / i });
    }
    // Draws at t=10 (first), then every 100 ms: 110, 210, 310, 410 -> 5 draws in 500 ms.
    expect(writes).toHaveLength(5);
    for (const w of writes) expect(w.startsWith('\r') && w.endsWith('\x1b[K')).toBe(true);
    clock.t += 100;
    p.update(50);
    // 50 done in 0.6 s: 83.3 it/s, 50 left -> 0.6 s -> "0:01".
    expect(writes[5]).toBe('\repoch 1/2 [=====>    ]  50% 50/100 83.3 it/s ETA 0:01 loss 0.02\x1b[K');
    p.finish();
    expect(writes.at(-2)).toBe('\repoch 1/2 [=====>    ]  50% 50/100 83.3 it/s in 0:01 loss 0.02\x1b[K');
    expect(writes.at(-1)).toBe('\n');
    const n = writes.length;
    p.update(60);
    expect(writes).toHaveLength(n);
  });

  it('prints log messages above the bar and truncates to the terminal width', () => {
    const clock = { t: 0 };
    const { writes, stream } = fakeStream(true, 30);
    const p = new ProgressReporter({ total: 10, stream, now: () => clock.t });
    clock.t = 1000;
    p.update(5, { loss: 0.5, acc: 0.75 });
    expect(writes[0].length).toBe('\r'.length + 29 + '\x1b[K'.length);
    p.log('epoch 1 done');
    expect(writes[1]).toBe('\r\x1b[Kepoch 1 done\n');
    expect(writes[2].startsWith('\r[')).toBe(true);
  });

  it('etaSeconds follows the average rate', () => {
    const clock = { t: 0 };
    const p = new ProgressReporter({ total: 100, stream: fakeStream(true).stream, now: () => clock.t });
    expect(p.etaSeconds()).toBe(Infinity);
    clock.t = 2000;
    p.update(25);
    expect(p.etaSeconds()).toBe(6);
  });
});

describe('ProgressReporter elsewhere', () => {
  it('prints a plain line every logIntervalMs and a final line', () => {
    const clock = { t: 0 };
    const { writes, stream } = fakeStream(false);
    const p = new ProgressReporter({
      total: 200,
      label: 'train',
      stream,
      now: () => clock.t,
      logIntervalMs: 1000,
    });
    for (let i = 1; i <= 200; i++) {
      clock.t += 25; // 40 steps/s, 5 s in all
      p.update(i, { loss: 0.5 });
    }
    p.finish({ acc: 0.9 });
    expect(writes).toEqual([
      'train 40/200 (20%) 40.0 it/s ETA 0:04 loss=0.5\n',
      'train 80/200 (40%) 40.0 it/s ETA 0:03 loss=0.5\n',
      'train 120/200 (60%) 40.0 it/s ETA 0:02 loss=0.5\n',
      'train 160/200 (80%) 40.0 it/s ETA 0:01 loss=0.5\n',
      'train 200/200 (100%) 40.0 it/s ETA 0:00 loss=0.5\n',
      'train done 200/200 (100%) 40.0 it/s in 0:05 loss=0.5 acc=0.9\n',
    ]);
  });

  it('quiet prints nothing, not even log messages', () => {
    const { writes, stream } = fakeStream(true);
    const p = new ProgressReporter({ total: 3, stream, quiet: true, now: () => 0 });
    p.tick();
    p.log('x');
    p.finish();
    expect(writes).toEqual([]);
  });

  it('unknown total: count and rate, no bar', () => {
    const clock = { t: 0 };
    const { writes, stream } = fakeStream(false);
    const p = new ProgressReporter({ total: 0, stream, now: () => clock.t, logIntervalMs: 1000 });
    clock.t = 2000;
    p.update(10);
    p.finish();
    expect(writes).toEqual(['10 5.0 it/s ETA --:--\n', 'done 10 5.0 it/s in 0:02\n']);
  });
});
