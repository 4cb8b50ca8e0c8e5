// Recipe figures as SVG through Apache ECharts' server-side renderer (no DOM), made deterministic.
import { createRequire } from 'node:module';
import type * as Echarts from 'echarts';
import type { FigureSpec } from './types.js';

// ECharts is loaded on the first figure, as its single-file CommonJS build: importing its ESM entry
// eagerly loads ~600 modules (about 1 s of CPU), paid by every `import 'gradlab'` and CLI start.
const requireEcharts = createRequire(import.meta.url);
let loaded: typeof Echarts | undefined;
function echartsLib(): typeof Echarts {
  return (loaded ??= requireEcharts('echarts') as typeof Echarts);
}

/** ECharts numbers its CSS classes by a process-wide counter; renumber them per document. */
function stableClasses(svg: string): string {
  const seen = new Map<string, string>();
  return svg.replace(/zr\d+-cls-\d+/g, (c) => {
    if (!seen.has(c)) seen.set(c, `gl-c${seen.size}`);
    return seen.get(c)!;
  });
}

/**
 * Renders a figure to an SVG string: bars or lines for the means, per-seed values as dots.
 * @example
 * const svg = renderFigureSvg({ type: 'bar', xLabel: 'arm', yLabel: 'accuracy', x: ['fp32', 'mesa'],
 *   series: [{ name: 'mean', y: [0.75, 0.74], perSeed: [[0.74, 0.76], [0.73, 0.75]] }] }, 'accuracy');
 */
export function renderFigureSvg(spec: FigureSpec, title: string, size = { width: 640, height: 360 }): string {
  const chart = echartsLib().init(null, null, { renderer: 'svg', ssr: true, ...size });
  const category = spec.type === 'bar' || spec.x.some((v) => typeof v === 'string');
  const dots = spec.series.flatMap((s) =>
    s.perSeed
      ? [
          {
            name: 'per seed',
            type: 'scatter' as const,
            symbolSize: 6,
            data: s.perSeed.flatMap((vals, i) =>
              vals.map((v) => [category ? String(spec.x[i]) : spec.x[i], v]),
            ),
          },
        ]
      : [],
  );
  chart.setOption({
    animation: false,
    title: { text: title, left: 'center', textStyle: { fontSize: 14 } },
    legend: { bottom: 0 },
    grid: { left: 70, right: 30, top: 40, bottom: 70 },
    xAxis: category
      ? { type: 'category', name: spec.xLabel, nameLocation: 'middle', nameGap: 28, data: spec.x.map(String) }
      : { type: spec.logX ? 'log' : 'value', name: spec.xLabel, nameLocation: 'middle', nameGap: 28 },
    yAxis: {
      type: spec.logY ? 'log' : 'value',
      name: spec.yLabel,
      nameLocation: 'middle',
      nameGap: 50,
      scale: spec.type === 'line',
    },
    series: [
      ...spec.series.map((s) => ({
        name: s.name,
        type: spec.type,
        data: category ? s.y : s.y.map((v, i) => [spec.x[i], v]),
      })),
      ...dots,
    ],
  });
  const svg = chart.renderToSVGString();
  chart.dispose();
  return stableClasses(svg) + '\n';
}
