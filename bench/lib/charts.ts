import * as vega from 'vega';
import type { TopLevelSpec } from 'vega-lite';
import * as vl from 'vega-lite';
import type { BenchRow } from './measure.ts';

/**
 * The report's charts as SVG files, drawn with Vega-Lite (a chart is a small declarative spec, rendered headless in
 * Node, no canvas or browser needed), so `bench/RESULTS.md` shows them wherever Markdown shows images.
 */

const theme = {
  background: 'white',
  config: {
    font: 'DejaVu Sans, Helvetica, Arial, sans-serif',
    view: { stroke: null },
    axis: { labelColor: '#4b5563', titleColor: '#111827', gridColor: '#e5e7eb', domainColor: '#9ca3af', titleFontWeight: 600 },
    title: { fontSize: 14, anchor: 'start', color: '#111827' },
    legend: { labelColor: '#374151', titleColor: '#111827', orient: 'bottom', labelLimit: 420 },
  },
} as const;

async function render(spec: TopLevelSpec): Promise<string> {
  const view = new vega.View(vega.parse(vl.compile({ ...theme, ...spec } as TopLevelSpec).spec), { renderer: 'none' });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

export interface CurvePoint {
  x: number;
  y: number;
  /** Which line the point belongs to, e.g. "measured" or "baseline". */
  series: string;
}

/** Lines over a numeric axis; `logX` for sizes that grow by factors of ten. */
export function curveChart(options: {
  title: string;
  xTitle: string;
  yTitle: string;
  points: readonly CurvePoint[];
  logX?: boolean;
}): Promise<string> {
  return render({
    title: options.title,
    width: 560,
    height: 240,
    data: { values: [...options.points] },
    mark: { type: 'line', point: { size: 60, filled: true }, strokeWidth: 2.5 },
    encoding: {
      x: {
        field: 'x',
        type: 'quantitative',
        title: options.xTitle,
        scale: options.logX ? { type: 'log' } : { zero: false },
        axis: { values: [...new Set(options.points.map((p) => p.x))], format: ',d' },
      },
      y: { field: 'y', type: 'quantitative', title: options.yTitle, axis: { format: ',~r' } },
      color: { field: 'series', type: 'nominal', title: null, scale: { range: ['#2563eb', '#9ca3af', '#16a34a'] } },
    },
  } as TopLevelSpec);
}

/**
 * Each figure's ratio to its baseline; throughput figures (higher is better) are shown inverted so every bar reads the
 * same way: the shorter, the cheaper. The colour says whether the figure met its goal.
 */
export function ratioChart(rows: readonly BenchRow[]): Promise<string> {
  const values = rows.map((r) => {
    return {
      figure: r.higherIsBetter ? `${r.name} (inverted)` : r.name,
      cost: r.higherIsBetter ? 1 / r.ratio : r.ratio,
      met: r.met ? 'goal met' : 'goal missed',
    };
  });
  return render({
    title: 'Cost of each figure relative to its same-run baseline (1× = the baseline itself)',
    width: 560,
    data: { values },
    layer: [
      {
        mark: { type: 'bar', cornerRadiusEnd: 3, height: 18 },
        encoding: {
          y: { field: 'figure', type: 'nominal', title: null, sort: null, axis: { labelLimit: 420 } },
          x: { field: 'cost', type: 'quantitative', title: 'times the baseline (lower is better)' },
          color: { field: 'met', type: 'nominal', title: null, scale: { domain: ['goal met', 'goal missed'], range: ['#2563eb', '#dc2626'] } },
        },
      },
      {
        mark: { type: 'text', align: 'left', dx: 4, color: '#111827' },
        encoding: {
          y: { field: 'figure', type: 'nominal', sort: null },
          x: { field: 'cost', type: 'quantitative' },
          text: { field: 'cost', type: 'quantitative', format: '.2f' },
        },
      },
    ],
  } as TopLevelSpec);
}
