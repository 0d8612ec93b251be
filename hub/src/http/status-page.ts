/**
 * The venue tech's status page: one self-contained HTML document (no framework, no external assets: the venue has
 * no internet) that polls `GET /v1/status` every 2 s.
 */
export const statusPageHtml = /* html */ `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Tapline hub</title>
<style>
  :root {
    --bg: #0d1117; --panel: #161b22; --line: #262d36; --text: #e6edf3; --muted: #8b949e;
    --green: #3fb950; --red: #f85149; --amber: #d29922; --blue: #58a6ff;
  }
  * { box-sizing: border-box; }
  body { margin: 0; background: var(--bg); color: var(--text);
    font: 15px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; }
  header { display: flex; align-items: baseline; gap: 16px; padding: 20px 28px; border-bottom: 1px solid var(--line); }
  header h1 { margin: 0; font-size: 20px; font-weight: 650; letter-spacing: .02em; }
  header .sub { color: var(--muted); font-size: 13px; }
  header .right { margin-left: auto; color: var(--muted); font-size: 13px; }
  main { padding: 24px 28px; display: grid; gap: 18px; grid-template-columns: repeat(auto-fit, minmax(260px, 1fr)); }
  .card { background: var(--panel); border: 1px solid var(--line); border-radius: 12px; padding: 18px 20px; }
  .card.wide { grid-column: 1 / -1; }
  .label { color: var(--muted); font-size: 12px; text-transform: uppercase; letter-spacing: .08em; }
  .big { font-size: 44px; font-weight: 700; font-variant-numeric: tabular-nums; line-height: 1.1; margin-top: 6px; }
  .code { font-family: ui-monospace, "SF Mono", Menlo, monospace; letter-spacing: .12em; color: var(--blue); }
  .hint { color: var(--muted); font-size: 13px; margin-top: 6px; }
  .state { display: inline-flex; align-items: center; gap: 10px; font-size: 28px; font-weight: 650; margin-top: 6px; }
  .dot { width: 12px; height: 12px; border-radius: 50%; background: var(--muted); flex: none; }
  .dot.on { background: var(--green); box-shadow: 0 0 10px var(--green); }
  .dot.off { background: var(--red); }
  .dot.unknown { background: var(--amber); }
  .bar { height: 10px; background: var(--line); border-radius: 6px; overflow: hidden; margin-top: 12px; }
  .bar > div { height: 100%; width: 0; background: linear-gradient(90deg, var(--blue), var(--green)); transition: width .6s ease; }
  .err { color: var(--red); font-size: 13px; margin-top: 8px; word-break: break-word; }
  table { width: 100%; border-collapse: collapse; margin-top: 8px; }
  th, td { text-align: left; padding: 9px 8px; border-bottom: 1px solid var(--line); }
  th { color: var(--muted); font-weight: 500; font-size: 12px; text-transform: uppercase; letter-spacing: .06em; }
  td.num { text-align: right; font-variant-numeric: tabular-nums; }
  th.num { text-align: right; }
  .name { display: flex; align-items: center; gap: 10px; }
  .warn { color: var(--amber); }
  .hidden { display: none; }
  #banner { grid-column: 1 / -1; background: #3d1d1d; border: 1px solid var(--red); color: #ffd7d5; border-radius: 12px; padding: 12px 18px; }
</style>
</head>
<body>
<header>
  <h1>Tapline hub</h1><span class="sub" id="hubName">…</span>
  <span class="right" id="uptime"></span>
</header>
<main>
  <div id="banner" class="hidden">Cannot reach the hub process. Is it running?</div>
  <section class="card">
    <div class="label">Pairing code</div>
    <div class="big code" id="pairingCode">······</div>
    <div class="hint" id="pairingHint">Type it on a new terminal to pair it.</div>
  </section>
  <section class="card">
    <div class="label">Orders received</div>
    <div class="big" id="orders">0</div>
    <div class="hint" id="terminalsSummary"></div>
  </section>
  <section class="card">
    <div class="label">Waiting for the cloud</div>
    <div class="big" id="queue">0</div>
    <div class="bar hidden" id="barWrap"><div id="bar"></div></div>
    <div class="hint" id="drain">All orders are in the cloud.</div>
  </section>
  <section class="card">
    <div class="label">Cloud uplink</div>
    <div class="state"><span class="dot" id="uplinkDot"></span><span id="uplinkState">unknown</span></div>
    <div class="hint" id="lastUpload">No upload yet.</div>
    <div class="err" id="uplinkError"></div>
  </section>
  <section class="card">
    <div class="label">Bands paired</div>
    <div class="big" id="paired">0</div>
    <div class="hint" id="registration">No attendees yet.</div>
  </section>
  <section class="card wide">
    <div class="label">Terminals</div>
    <table>
      <thead><tr><th>Terminal</th><th>Last seen</th><th class="num">Orders</th></tr></thead>
      <tbody id="terminals"><tr><td colspan="3" class="hint">No terminal paired yet.</td></tr></tbody>
    </table>
    <div class="hint" id="review"></div>
  </section>
</main>
<script>
  const $ = (id) => document.getElementById(id);
  const fmt = (n) => Number(n).toLocaleString();
  const ago = (iso, now) => {
    if (!iso) return 'never';
    const s = Math.max(0, Math.round((now - Date.parse(iso)) / 1000));
    if (s < 60) return s + ' s ago';
    if (s < 3600) return Math.floor(s / 60) + ' min ago';
    return Math.floor(s / 3600) + ' h ' + Math.floor((s % 3600) / 60) + ' min ago';
  };
  const duration = (s) => s < 60 ? s + ' s' : s < 3600 ? Math.floor(s / 60) + ' min ' + (s % 60) + ' s' : Math.floor(s / 3600) + ' h ' + Math.floor((s % 3600) / 60) + ' min';
  const esc = (s) => String(s).replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }[c]));

  function render(s) {
    const now = Date.parse(s.serverTime);
    $('banner').classList.add('hidden');
    $('hubName').textContent = s.name + ' · ' + s.hubId;
    $('uptime').textContent = 'up ' + duration(s.uptimeSeconds);
    $('pairingCode').textContent = s.pairingCode.slice(0, 3) + ' ' + s.pairingCode.slice(3);
    $('pairingHint').textContent = 'Valid until ' + new Date(s.pairingCodeExpiresAt).toLocaleTimeString() + '. Type it on a new terminal.';
    $('orders').textContent = fmt(s.ordersReceived);
    const online = s.terminals.filter((t) => t.online).length;
    $('terminalsSummary').textContent = online + ' of ' + s.terminals.length + ' terminals online';

    $('queue').textContent = fmt(s.queueDepth);
    // Progress through the current backlog, from its high-water mark (kept by the hub) down to zero.
    const peak = Math.max(s.drain.peak, s.queueDepth);
    const draining = s.queueDepth > 0;
    // A bar only for a real backlog: a queue of a few orders in normal trading would only flicker.
    const backlog = draining && peak >= 100;
    $('barWrap').classList.toggle('hidden', !backlog);
    $('bar').style.width = backlog ? Math.round(100 * (1 - s.queueDepth / peak)) + '%' : '0';
    $('drain').textContent = !draining ? 'All orders are in the cloud.'
      : s.uplink.state !== 'online' ? 'Waiting for the uplink; orders are safe on this hub.'
      : s.drain.rate > 0 ? (backlog ? Math.round(100 * (1 - s.queueDepth / peak)) + '% uploaded · ' : '') + fmt(s.drain.rate) + ' orders/s · about ' + duration(s.drain.etaSeconds) + ' left'
      : 'Uploading…';

    const u = s.uplink;
    $('uplinkDot').className = 'dot ' + (u.state === 'online' ? 'on' : u.state === 'offline' ? 'off' : 'unknown');
    $('uplinkState').textContent = u.cloudUrl ? u.state : 'no cloud configured';
    $('lastUpload').textContent = 'Last successful upload ' + ago(u.lastUploadAt, now) + (u.lastAttemptAt ? ' · last attempt ' + ago(u.lastAttemptAt, now) : '');
    $('uplinkError').textContent = u.state === 'offline' && u.lastError ? u.lastError : '';

    $('terminals').innerHTML = s.terminals.length === 0
      ? '<tr><td colspan="3" class="hint">No terminal paired yet.</td></tr>'
      : s.terminals.map((t) => '<tr><td><span class="name"><span class="dot ' + (t.online ? 'on' : 'off') + '"></span>' + esc(t.name) +
          '</span></td><td>' + (t.revoked ? '<span class="warn">revoked by head office' + (t.revokedReason ? ': ' + esc(t.revokedReason) : '') + '</span>' : t.online ? 'connected' : ago(t.lastSeenAt, now)) + '</td><td class="num">' + fmt(t.ordersReceived) + '</td></tr>').join('');
    const r = s.registration;
    $('paired').textContent = fmt(r.paired);
    $('registration').textContent = fmt(r.attendees) + ' attendees the desks can find · ' + fmt(r.blocked) + ' bands blocked';
    const review = [];
    if (s.conflicts) review.push(fmt(s.conflicts) + ' conflicting orders kept for review');
    if (s.rejected) review.push(fmt(s.rejected) + ' orders refused by the cloud kept for review');
    $('review').innerHTML = review.map((r) => '<span class="warn">⚠ ' + r + '</span>').join(' · ');
  }

  async function refresh() {
    try {
      const res = await fetch('/v1/status', { cache: 'no-store' });
      render(await res.json());
    } catch {
      $('banner').classList.remove('hidden');
    }
  }
  refresh();
  setInterval(refresh, 2000);
</script>
</body>
</html>
`;
