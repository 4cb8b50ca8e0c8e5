// `gradlab train` progress: exactly one line per finished epoch, on a terminal (the finished bar) and elsewhere.
import { describe, expect, it } from 'vitest';
import { bufferContext } from '../../src/cli/context.js';
import { runCli } from '../../src/cli/run.js';
import { useTempDirs } from '../helpers/temp-dir.js';

const tempDir = useTempDirs('gradlab-cli-epochs-');

/** What a terminal shows: for each newline-ended line, the text after its last carriage return. */
function visibleLines(text: string): string[] {
  return text
    .split('\n')
    .map((l) => l.slice(l.lastIndexOf('\r') + 1).replace(/\x1b\[K/g, ''))
    .filter((l) => l !== '');
}

async function train(tty: boolean): Promise<string[]> {
  let err = '';
  const ctx = bufferContext({
    stderr: { isTTY: tty, columns: 300, write: (s: string) => (err += s) },
    env: { GRADLAB_STORE: tempDir() },
  });
  const code = await runCli(
    [
      'train',
      '--epochs',
      '2',
      '--train-size',
      '128',
      '--batch-size',
      '64',
      '--backend',
      'js',
      '--val-split',
      '0.25',
    ],
    ctx,
  );
  expect(code).toBe(0);
  return visibleLines(err);
}

describe('epoch lines', () => {
  it('on a terminal: the finished bar of each epoch, with its validation metrics, and no second epoch line', async () => {
    const lines = await train(true);
    for (const e of ['epoch 1/2', 'epoch 2/2']) {
      const mine = lines.filter((l) => l.startsWith(e));
      expect(mine).toHaveLength(1);
      expect(mine[0]).toMatch(
        /\[=+\] 100% 2\/2 .* in \d+:\d\d loss \S+ acc \S+ valLoss \S+ valAccuracy \S+$/,
      );
    }
  });

  it('elsewhere: one plain line per epoch', async () => {
    const lines = await train(false);
    for (const e of ['epoch 1/2', 'epoch 2/2']) {
      const mine = lines.filter((l) => l.startsWith(e));
      expect(mine).toHaveLength(1);
      expect(mine[0]).toMatch(new RegExp(`^${e}: loss \\S+ accuracy \\S+ valLoss \\S+ valAccuracy \\S+$`));
    }
  });
});
