import type { RowObject } from '@tributary/client/web';
import { h, mount, svg } from '../dom.js';
import type { ResultColumn } from '../query/query-runner.js';

const WIDTH = 720;
const HEIGHT = 300;
const MARGIN = { top: 16, right: 16, bottom: 64, left: 64 };
/** Bars beyond this many would be too thin to read. */
const MAX_BARS = 50;

/** A number from a JSON cell: numbers, and the exact strings used for big integers and decimals. */
function numeric(value: unknown): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) ? value : undefined;
  if (typeof value === 'string' && /^-?\d+(\.\d+)?$/.test(value)) return Number(value);
  return undefined;
}

export function numericColumns(columns: ResultColumn[], rows: RowObject[]): ResultColumn[] {
  return columns.filter((column) => {
    const values = rows.map((row) => row[column.name]).filter((value) => value !== null);
    return values.length > 0 && values.every((value) => numeric(value) !== undefined);
  });
}

function niceTicks(max: number, min: number): number[] {
  const span = max - min || 1;
  const step = 10 ** Math.floor(Math.log10(span / 4));
  const nice = [1, 2, 5, 10].map((m) => m * step).find((s) => span / s <= 6) ?? step * 10;
  const ticks: number[] = [];
  for (let t = Math.ceil(min / nice) * nice; t <= max + 1e-9; t += nice)
    ticks.push(Number(t.toPrecision(12)));
  return ticks;
}

/**
 * A bar or line chart of one numeric column against a label column, drawn
 * as plain SVG: two chart kinds do not justify a charting library's weight.
 */
export function drawChart(
  kind: 'bar' | 'line',
  rows: RowObject[],
  label: string,
  value: string,
): SVGSVGElement {
  const points = rows
    .map((row) => ({ label: String(row[label] ?? 'NULL'), value: numeric(row[value]) }))
    .filter((p): p is { label: string; value: number } => p.value !== undefined)
    .slice(0, kind === 'bar' ? MAX_BARS : rows.length);
  const chart = svg('svg', {
    viewBox: `0 0 ${WIDTH} ${HEIGHT}`,
    class: 'chart',
    role: 'img',
    'aria-label': `${value} by ${label}`,
    'data-testid': 'chart',
  }) as SVGSVGElement;
  if (points.length === 0) return chart;
  const innerW = WIDTH - MARGIN.left - MARGIN.right;
  const innerH = HEIGHT - MARGIN.top - MARGIN.bottom;
  const max = Math.max(0, ...points.map((p) => p.value));
  const min = Math.min(0, ...points.map((p) => p.value));
  const y = (v: number) => MARGIN.top + innerH - ((v - min) / (max - min || 1)) * innerH;
  const band = innerW / points.length;
  const x = (i: number) => MARGIN.left + band * i + band / 2;

  for (const tick of niceTicks(max, min)) {
    chart.append(
      svg('line', { x1: MARGIN.left, x2: WIDTH - MARGIN.right, y1: y(tick), y2: y(tick), class: 'grid' }),
      svg('text', { x: MARGIN.left - 6, y: y(tick) + 4, class: 'tick', 'text-anchor': 'end' }, String(tick)),
    );
  }
  if (kind === 'bar') {
    points.forEach((p, i) => {
      const top = y(Math.max(p.value, 0));
      const bar = svg('rect', {
        x: x(i) - band * 0.4,
        y: top,
        width: band * 0.8,
        height: Math.abs(y(p.value) - y(0)),
        class: 'bar',
      });
      bar.append(svg('title', {}, `${p.label}: ${p.value}`));
      chart.append(bar);
    });
  } else {
    const path = points.map((p, i) => `${i === 0 ? 'M' : 'L'}${x(i).toFixed(1)},${y(p.value).toFixed(1)}`);
    chart.append(svg('path', { d: path.join(' '), class: 'line' }));
  }
  const every = Math.ceil(points.length / 20);
  points.forEach((p, i) => {
    if (i % every !== 0) return;
    chart.append(
      svg(
        'text',
        {
          x: x(i),
          y: HEIGHT - MARGIN.bottom + 14,
          class: 'tick',
          'text-anchor': 'end',
          transform: `rotate(-35 ${x(i)} ${HEIGHT - MARGIN.bottom + 14})`,
        },
        p.label.length > 16 ? `${p.label.slice(0, 15)}…` : p.label,
      ),
    );
  });
  return chart;
}

/** The chart with its controls: kind, label column, value column. */
export function chartPanel(columns: ResultColumn[], rows: RowObject[]): HTMLElement {
  const values = numericColumns(columns, rows);
  if (values.length === 0 || rows.length === 0) {
    return h('p', { class: 'muted', 'data-testid': 'chart-empty' }, 'No numeric column to chart.');
  }
  const select = (name: string, options: string[], selected: string) =>
    h(
      'select',
      { name, 'data-testid': `chart-${name}` },
      ...options.map((option) => h('option', { value: option, selected: option === selected }, option)),
    );
  const labelDefault = columns.find((c) => !values.includes(c))?.name ?? columns[0]?.name ?? '';
  const kind = select('kind', ['bar', 'line'], 'bar') as HTMLSelectElement;
  const label = select(
    'label',
    columns.map((c) => c.name),
    labelDefault,
  ) as HTMLSelectElement;
  const value = select(
    'value',
    values.map((c) => c.name),
    values.find((c) => c.name !== labelDefault)?.name ?? values[0]?.name ?? '',
  ) as HTMLSelectElement;
  const canvas = h('div', { class: 'chart-canvas' });
  const redraw = () => mount(canvas, drawChart(kind.value as 'bar' | 'line', rows, label.value, value.value));
  for (const control of [kind, label, value]) control.addEventListener('change', redraw);
  redraw();
  return h(
    'div',
    { class: 'chart-panel' },
    h(
      'div',
      { class: 'controls' },
      h('label', {}, 'Chart ', kind),
      h('label', {}, 'Label ', label),
      h('label', {}, 'Value ', value),
    ),
    canvas,
  );
}
