// The figure several learning-rule recipes share: test accuracy per arm, the mean over seeds with each seed's value.
import { describe } from '../framework/stats.js';
import type { FigureDef } from '../framework/types.js';

/**
 * A bar chart of `acc.<arm>` per arm (in %), mean over seeds with the per-seed values.
 * @example figures: [armAccuracyFigure(['bp', 'dgl', 'auglocal'])]
 */
export function armAccuracyFigure(arms: readonly string[]): FigureDef {
  return {
    id: 'accuracy',
    title: 'Test accuracy per arm (%)',
    make: (m) => ({
      type: 'bar',
      xLabel: 'arm',
      yLabel: 'test accuracy (%)',
      x: [...arms],
      series: [
        {
          name: 'mean over seeds',
          y: arms.map((a) => 100 * describe(m.perSeed[`acc.${a}`]).mean),
          perSeed: arms.map((a) => m.perSeed[`acc.${a}`].map((v) => 100 * v)),
        },
      ],
    }),
  };
}
