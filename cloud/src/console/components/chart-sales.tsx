import type { JSX } from 'preact';
import { formatMoney } from '../format.ts';

/* Sales over time as SVG columns: one per bucket, gridlines at round amounts, times in the event's timezone. */

export interface SalesPoint {
  at: string;
  orders: number;
  net: number;
}

const W = 760;
const H = 250;
const PAD = { top: 12, right: 12, bottom: 28, left: 64 };

/** A round step (1, 2, 2.5, 5 × 10ⁿ minor units) giving about four gridlines up to `max`. */
function niceStep(max: number): number {
  const raw = Math.max(max, 1) / 4;
  const mag = 10 ** Math.floor(Math.log10(raw));
  for (const m of [1, 2, 2.5, 5, 10]) if (m * mag >= raw) return m * mag;
  return 10 * mag;
}

function timeLabel(iso: string, bucketSeconds: number, timeZone: string): string {
  const options: Intl.DateTimeFormatOptions =
    bucketSeconds >= 86_400 ? { day: 'numeric', month: 'short' } : { hour: '2-digit', minute: '2-digit', hour12: false };
  try {
    return new Intl.DateTimeFormat('en-GB', { ...options, timeZone }).format(new Date(iso));
  } catch {
    return new Intl.DateTimeFormat('en-GB', options).format(new Date(iso));
  }
}

function shortMoney(minor: number, currency: string): string {
  return formatMoney(minor, currency).replace(/[.,]00$/, '');
}

export function SalesChart(props: { points: SalesPoint[]; bucketSeconds: number; currency: string; timeZone: string }): JSX.Element {
  const { points, bucketSeconds, currency, timeZone } = props;
  const max = Math.max(0, ...points.map((p) => p.net));
  const step = niceStep(max);
  const top = Math.max(step, Math.ceil(max / step) * step);
  const plotW = W - PAD.left - PAD.right;
  const plotH = H - PAD.top - PAD.bottom;
  const slot = plotW / Math.max(points.length, 1);
  const barW = Math.max(1, Math.min(28, slot * 0.72));
  const y = (v: number) => PAD.top + plotH - (v / top) * plotH;
  const ticks: number[] = [];
  for (let v = 0; v <= top + 1e-9; v += step) ticks.push(v);
  // About eight time labels whatever the number of buckets.
  const every = Math.max(1, Math.ceil(points.length / 8));
  const minutes = bucketSeconds >= 86_400 ? '1 day' : bucketSeconds >= 3600 ? `${bucketSeconds / 3600} h` : `${bucketSeconds / 60} min`;
  return (
    <figure class="sales-chart">
      <svg viewBox={`0 0 ${W} ${H}`} role="img" aria-label={`Net sales per ${minutes}`}>
        {ticks.map((t) => (
          <g key={t}>
            <line x1={PAD.left} x2={W - PAD.right} y1={y(t)} y2={y(t)} class={t === 0 ? 'chart-axis' : 'chart-grid'} />
            <text x={PAD.left - 8} y={y(t) + 4} class="chart-label" text-anchor="end">
              {shortMoney(t, currency)}
            </text>
          </g>
        ))}
        {points.map((p, i) => {
          const x = PAD.left + i * slot + (slot - barW) / 2;
          const h = Math.max(p.net > 0 ? 1 : 0, y(0) - y(p.net));
          return (
            <g key={p.at}>
              <rect x={x} y={y(0) - h} width={barW} height={h} rx={Math.min(3, barW / 3)} class="chart-bar">
                <title>{`${timeLabel(p.at, bucketSeconds, timeZone)}: ${formatMoney(p.net, currency)}, ${p.orders} order${p.orders === 1 ? '' : 's'}`}</title>
              </rect>
              {i % every === 0 ? (
                <text x={x + barW / 2} y={H - 8} class="chart-label" text-anchor="middle">
                  {timeLabel(p.at, bucketSeconds, timeZone)}
                </text>
              ) : null}
            </g>
          );
        })}
      </svg>
      <figcaption class="chart-caption">Net sales per {minutes}, times in {timeZone}</figcaption>
    </figure>
  );
}
