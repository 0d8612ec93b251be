import type { HubStatusReport } from './status-report.ts';

export interface Palette {
  bold(s: string): string;
  dim(s: string): string;
  green(s: string): string;
  red(s: string): string;
  yellow(s: string): string;
  cyan(s: string): string;
}

const ansi = (open: number, close: number) => (s: string) => `\x1b[${open}m${s}\x1b[${close}m`;
export const colours: Palette = {
  bold: ansi(1, 22),
  dim: ansi(2, 22),
  green: ansi(32, 39),
  red: ansi(31, 39),
  yellow: ansi(33, 39),
  cyan: ansi(36, 39),
};
const id = (s: string) => s;
export const plain: Palette = { bold: id, dim: id, green: id, red: id, yellow: id, cyan: id };

function ago(iso: string | null, now: number): string {
  if (!iso) return 'never';
  const s = Math.max(0, Math.round((now - Date.parse(iso)) / 1000));
  if (s < 60) return `${s} s ago`;
  if (s < 3600) return `${Math.floor(s / 60)} min ago`;
  return `${Math.floor(s / 3600)} h ${Math.floor((s % 3600) / 60)} min ago`;
}

/** `hub status` output: label/value rows aligned, then the terminal table. */
export function formatStatus(s: HubStatusReport, c: Palette = plain): string {
  const now = Date.parse(s.serverTime);
  const u = s.uplink;
  const uplink =
    u.state === 'online' ? c.green('● online') : u.state === 'offline' ? c.red('● offline') : c.yellow('● unknown');
  const rows: Array<[string, string]> = [
    ['Hub', `${c.bold(s.name)} ${c.dim(s.hubId)}`],
    ['Uptime', `${s.uptimeSeconds} s`],
    ['Pairing code', `${c.cyan(c.bold(s.pairingCode))} ${c.dim(`until ${s.pairingCodeExpiresAt}`)}`],
    ['Orders received', s.ordersReceived.toLocaleString('en')],
    ['Waiting for cloud', s.queueDepth > 0 ? c.yellow(s.queueDepth.toLocaleString('en')) : c.green('0')],
    [
      'Drain',
      s.queueDepth === 0
        ? 'idle'
        : u.state !== 'online' || s.drain.rate === 0
          ? 'waiting for the uplink; orders are safe on this hub'
          : `${s.drain.peak >= 100 ? `${progressBar(s.drain.peak, s.queueDepth)} ` : ''}${s.drain.rate} orders/s${s.drain.etaSeconds !== null ? `, about ${s.drain.etaSeconds} s left` : ''}`,
    ],
    ['Uplink', `${uplink}${u.cloudUrl ? c.dim(` ${u.cloudUrl}`) : c.dim(' no cloud configured')}`],
    ['Last upload', ago(u.lastUploadAt, now)],
    [
      'Registration',
      `${s.registration.attendees.toLocaleString('en')} attendees, ${s.registration.paired.toLocaleString('en')} bands paired, ${s.registration.blocked.toLocaleString('en')} blocked`,
    ],
  ];
  if (u.state === 'offline' && u.lastError) rows.push(['Last error', c.red(u.lastError)]);
  if (s.conflicts) rows.push(['Conflicts', c.yellow(`${s.conflicts} kept for review`)]);
  if (s.rejected) rows.push(['Rejected', c.yellow(`${s.rejected} kept for review`)]);
  const width = Math.max(...rows.map(([k]) => k.length));
  const lines = rows.map(([k, v]) => `${c.dim(k.padEnd(width))}  ${v}`);

  lines.push('', c.bold(`Terminals (${s.terminals.filter((t) => t.online).length}/${s.terminals.length} online)`));
  if (s.terminals.length === 0) lines.push(c.dim('  none paired yet'));
  const nameWidth = Math.max(4, ...s.terminals.map((t) => t.name.length));
  for (const t of s.terminals) {
    const dot = t.online ? c.green('●') : c.red('○');
    const seen = t.revoked
      ? c.red(`REVOKED by head office${t.revokedReason ? `: ${t.revokedReason}` : ''}`)
      : t.online
        ? 'connected'
        : `seen ${ago(t.lastSeenAt, now)}`;
    lines.push(`  ${dot} ${t.name.padEnd(nameWidth)}  ${String(t.ordersReceived).padStart(8)} orders  ${c.dim(seen)}`);
  }
  return lines.join('\n');
}

/** Twenty cells filled in proportion to how much of the backlog, from its high-water mark, has reached the cloud. */
function progressBar(peak: number, remaining: number): string {
  const top = Math.max(peak, remaining, 1);
  const done = Math.round(((top - remaining) / top) * 20);
  return `[${'#'.repeat(done)}${'.'.repeat(20 - done)}] ${Math.round(((top - remaining) / top) * 100)}%`;
}
