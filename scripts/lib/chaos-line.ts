import { formatCount, formatDuration, type LiveFigure } from './live-figure.ts';
import type { HubFigures } from './venue-figures.ts';

export interface ChaosLineState {
  elapsedSeconds: number;
  /** Orders made on the terminals and how many of them the hub acknowledged, from the terminals' own reports. */
  sold: number;
  target: number;
  atHub: number;
  /** Terminals that should be reporting and have not for a while (killed, stalled, starting). */
  silent: number;
  hub: LiveFigure<HubFigures>;
  cloud: LiveFigure<number>;
  kills: number;
  faults: number;
  /** Once the faults have stopped: how fast the cloud takes the backlog, and how long the rest will take. */
  drain?: { perSecond: number | null; etaSeconds: number | null };
}

/**
 * One progress line, every figure honest: a figure that could not be refreshed carries its age, one never read is
 * "?", and the terminals' own counts say how many of them have gone quiet.
 *   312 s  sold 98,400/100,000  at hub 97,950  hub→cloud queue 12,300  in cloud 85,600 (12 s ago)  kills 21  faults 1,830
 */
export function chaosLine(s: ChaosLineState): string {
  const parts = [
    formatDuration(s.elapsedSeconds),
    `sold ${formatCount(s.sold)}/${formatCount(s.target)}${s.silent ? ` (${s.silent} terminal${s.silent === 1 ? '' : 's'} silent)` : ''}`,
    `at hub ${formatCount(s.atHub)}`,
    `hub→cloud queue ${s.hub.text((h) => formatCount(h.queueDepth) + (h.uplink === 'online' ? '' : ` (uplink ${h.uplink})`))}`,
    `in cloud ${s.cloud.text(formatCount)}`,
  ];
  if (s.drain) {
    const { perSecond, etaSeconds } = s.drain;
    parts.push(perSecond ? `draining ${formatCount(perSecond)}/s, ~${etaSeconds === null ? '?' : formatDuration(etaSeconds)} left` : 'draining (no progress yet)');
  } else {
    parts.push(`kills ${formatCount(s.kills)}`, `faults ${formatCount(s.faults)}`);
  }
  return parts.join('  ');
}
