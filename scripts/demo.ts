/**
 * `npm start`: a demo venue on this machine on the embedded defaults. The cloud on PGlite, a hub, and a few
 * simulated terminals selling drinks from the seeded demo event, until Ctrl-C. State is kept in .tapline/demo,
 * so a second start carries on where the first stopped.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { Command } from 'commander';
import { formatMoney } from '@tapline/shared';
import { demoBandUid, DEMO_STAFF, DEMO_STATIONS } from '../cloud/src/seed/demo-constants.ts';
import { DEMO_OWNER_TOTP_SECRET, DEMO_PASSWORD, DEMO_USERS } from '../cloud/src/services/accounts-demo-constants.ts';
import { totpCode } from '../cloud/src/services/accounts-totp.ts';
import { cloudProcess, hubProcess, kioskProcess, terminalProcess } from '../e2e/harness/venue.ts';
import type { ServiceProcess } from '../e2e/harness/service-process.ts';

const opts = new Command('demo')
  .option('--terminals <n>', 'simulated terminals', (v) => Number(v), 3)
  .option('--cloud-port <n>', 'cloud API port', (v) => Number(v), 4100)
  .option('--hub-port <n>', 'hub port (status page and terminals)', (v) => Number(v), 4300)
  .option('--rate <n>', 'orders per second per terminal', (v) => Number(v), 0.5)
  .option('--dir <path>', 'where the demo keeps its state', '.tapline/demo')
  .option('--no-kiosk', 'no bartender kiosk (the browser kiosk opens in Chromium when there is a display)')
  .parse()
  .opts<{ terminals: number; cloudPort: number; hubPort: number; rate: number; dir: string; kiosk: boolean }>();

const dir = path.resolve(opts.dir);
mkdirSync(dir, { recursive: true });
const secretsFile = path.join(dir, 'secrets.json');
const secrets: { venueKey: string; adminToken: string } = existsSync(secretsFile)
  ? JSON.parse(readFileSync(secretsFile, 'utf8'))
  : { venueKey: randomBytes(24).toString('base64url'), adminToken: randomBytes(24).toString('base64url') };
writeFileSync(secretsFile, JSON.stringify(secrets, null, 2), { mode: 0o600 });

const tty = Boolean(process.stdout.isTTY);
const c = (code: string, s: string) => (tty ? `\x1b[${code}m${s}\x1b[0m` : s);
const bold = (s: string) => c('1', s);
const dim = (s: string) => c('2', s);
const green = (s: string) => c('32', s);
const cyan = (s: string) => c('36', s);

const children: ServiceProcess[] = [];
let stopping = false;
async function stopAll(code: number) {
  if (stopping) return;
  stopping = true;
  console.log(dim('\nstopping terminals, hub and cloud…'));
  const [cloud, hub, ...terminals] = children;
  await Promise.all(terminals.map((t) => t.stop()));
  await hub?.stop();
  await cloud?.stop();
  console.log(dim(`stopped. State kept in ${path.relative(process.cwd(), dir) || dir}; npm start resumes it.`));
  process.exit(code);
}
process.on('SIGINT', () => void stopAll(0));
process.on('SIGTERM', () => void stopAll(0));

async function step<T>(label: string, run: () => Promise<T>): Promise<T> {
  process.stdout.write(`  ${label}… `);
  const t0 = Date.now();
  const value = await run();
  console.log(`${green('ready')} ${dim(`${((Date.now() - t0) / 1000).toFixed(1)}s`)}`);
  return value;
}

async function main() {
  console.log(`\n${bold('Tapline')} demo venue ${dim('(Riverside Festival, on the embedded defaults)')}\n`);
  const cloud = cloudProcess({ dir: path.join(dir, 'cloud'), port: opts.cloudPort, ...secrets, bands: 200 });
  children.push(cloud);
  const cloudUrl = (await step('cloud API on PGlite', () => cloud.start())).url!;

  const hub = hubProcess({ dir: path.join(dir, 'hub'), port: opts.hubPort, cloudUrl, venueKey: secrets.venueKey, name: 'Demo hub', host: '0.0.0.0' });
  children.push(hub);
  const hubReady = await step('venue hub', () => hub.start());
  const hubUrl = `http://127.0.0.1:${opts.hubPort}`;

  const stations = ['bar-main', 'bar-north'];
  const terminals = Array.from({ length: opts.terminals }, (_, i) =>
    terminalProcess({
      dir: path.join(dir, 'terminals'),
      name: `bar-${i + 1}`,
      hubUrl,
      code: String(hubReady.pairingCode),
      station: stations[i % stations.length],
      orders: 'forever',
      rate: opts.rate,
      seed: i + 1,
    }),
  );
  children.push(...terminals);
  await step(`${terminals.length} simulated bar terminals`, () => Promise.all(terminals.map((t) => t.start())));

  let kioskUrl: string | null = null;
  if (opts.kiosk) {
    const kiosk = kioskProcess({ dir: path.join(dir, 'kiosk'), browser: true });
    children.push(kiosk);
    kioskUrl = (await step('bartender kiosk', () => kiosk.start())).url ?? null;
  }

  const auth = { authorization: `Bearer ${secrets.adminToken}` };
  const kioskLines = kioskUrl
    ? `
    bartender kiosk    ${cyan(kioskUrl)}
                       ${dim(`pick "Demo hub", code ${String(hubReady.pairingCode)}, station Main bar, PIN ${DEMO_STAFF.bartender.pin} (supervisor ${DEMO_STAFF.supervisor.pin})`)}
                       ${dim(`no NFC reader? a supervisor enters band numbers: ${demoBandUid(1)}, ${demoBandUid(2)}; ${demoBandUid(50)} is blocked`)}
    registration desk  ${dim(`the same kiosk, station Registration desk (${DEMO_STATIONS.desk}), PIN ${DEMO_STAFF.registration.pin} (${DEMO_STAFF.registration.name})`)}`
    : '';
  console.log(`
  ${bold('Where to look')}${kioskLines}
    head office        ${cyan(cloudUrl + '/console/')}
                       ${dim(`${DEMO_USERS.owner.email} / ${DEMO_PASSWORD}, then the 6-digit code on the status lines below`)}
                       ${dim(`(or add TOTP secret ${DEMO_OWNER_TOTP_SECRET} to an authenticator app; ${DEMO_USERS.viewer.email} needs no code)`)}
    attendee sign-up   ${cyan(cloudUrl + '/e/demo-event/register')} ${dim('(then a demo test card, then the QR confirmation)')}
    hub status page    ${cyan(hubUrl + '/')}
    hub on the console ${cyan(`npm run hub -- status --url ${hubUrl}`)}
    pair a terminal    code ${bold(String(hubReady.pairingCode))} ${dim('(the status page shows the current one)')}
    cloud sales        ${cyan(`curl -H 'authorization: Bearer ${secrets.adminToken}' ${cloudUrl}/v1/events/demo-event/summary`)}
    logs               ${dim(path.relative(process.cwd(), dir) + '/**/*.log')}

  ${dim('Ctrl-C stops everything. A line every 5 s shows what reached the cloud:')}
`);

  setInterval(async () => {
    try {
      const signal = AbortSignal.timeout(3000);
      const [summary, status] = await Promise.all([
        fetch(`${cloudUrl}/v1/events/demo-event/summary`, { headers: auth, signal }).then((r) => r.json()),
        fetch(`${hubUrl}/v1/status`, { signal }).then((r) => r.json()),
      ]);
      const s = summary as { orders: number; total: number; currency: string };
      const h = status as { queueDepth?: number; uplink?: { state?: string } };
      console.log(
        `  ${dim(new Date().toLocaleTimeString())}  in cloud ${bold(String(s.orders))} orders, ` +
          `${bold(formatMoney(s.total, s.currency || 'EUR'))}  ·  hub queue ${h.queueDepth ?? '?'}  ·  uplink ${h.uplink?.state ?? '?'}` +
          `  ·  console code ${bold(totpCode(DEMO_OWNER_TOTP_SECRET))}`,
      );
    } catch (err) {
      const why = (err as Error).name === 'TimeoutError' ? 'the cloud or the hub is not answering' : (err as Error).message;
      console.log(`  ${dim(new Date().toLocaleTimeString())}  ${why}; orders wait safely at the hub and terminals`);
    }
  }, 5000).unref();
}

main().catch((err: Error) => {
  console.error(`\n${c('31', 'demo failed:')} ${err.message}`);
  if (/EADDRINUSE|exited before ready/.test(err.message)) {
    console.error(dim('Is another demo running? Ports can be changed with: npm start -- --cloud-port 4101 --hub-port 4301'));
  }
  void stopAll(1);
});
