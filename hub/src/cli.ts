import { Command, InvalidArgumentError, Option } from 'commander';
import { colours, formatStatus, plain } from './format-status.ts';
import { startHub } from './hub.ts';
import { createLogger } from './log.ts';
import type { HubStatusReport } from './status-report.ts';

function int(min: number, max = Number.MAX_SAFE_INTEGER) {
  return (value: string): number => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < min || n > max) throw new InvalidArgumentError(`expected an integer from ${min} to ${max}`);
    return n;
  };
}

const urlOption = () =>
  new Option('--url <url>', 'the hub to ask').env('TAPLINE_HUB_URL').default('http://127.0.0.1:4300');

async function getJson(url: string, init?: RequestInit): Promise<unknown> {
  let res: Response;
  try {
    res = await fetch(url, { ...init, signal: AbortSignal.timeout(5000) });
  } catch (err) {
    throw new Error(`cannot reach the hub at ${url}: ${(err as Error & { cause?: { code?: string; message?: string } }).cause?.code ?? (err as Error & { cause?: { message?: string } }).cause?.message ?? (err as Error).message}`);
  }
  const body = (await res.json().catch(() => null)) as { message?: string } | null;
  if (!res.ok) throw new Error(`the hub answered ${res.status}: ${body?.message ?? 'no details'}`);
  return body;
}

const program = new Command('hub').description('Tapline venue hub: durable order queue between terminals and the cloud');

program
  .command('start')
  .description('run the hub daemon')
  .addOption(new Option('--port <n>', 'port for terminals and the status page (0: any free port)').env('TAPLINE_HUB_PORT').default(4300).argParser(int(0, 65535)))
  .addOption(new Option('--host <host>', 'interface to listen on').env('TAPLINE_HUB_HOST').default('0.0.0.0'))
  .addOption(new Option('--data-dir <dir>', 'where hub.db is kept').env('TAPLINE_HUB_DATA_DIR').default('.tapline/hub'))
  .addOption(new Option('--cloud-url <url>', 'cloud API base URL (none: keep everything queued)').env('TAPLINE_CLOUD_URL'))
  .addOption(new Option('--venue-key <key>', "the venue's API key for the cloud").env('TAPLINE_VENUE_KEY'))
  .addOption(new Option('--name <name>', 'name shown on the status page').env('TAPLINE_HUB_NAME'))
  .addOption(new Option('--batch-size <n>', 'orders per upload request').env('TAPLINE_HUB_BATCH_SIZE').default(500).argParser(int(1, 1000)))
  .addOption(new Option('--request-timeout-ms <n>', 'cloud request timeout').env('TAPLINE_HUB_REQUEST_TIMEOUT_MS').default(15_000).argParser(int(1)))
  .addOption(new Option('--pull-interval-ms <n>', 'config pull period').env('TAPLINE_HUB_PULL_INTERVAL_MS').default(3000).argParser(int(100)))
  // Not commander's .env(): on a --no- option any value of the variable, even 1, would turn mDNS off.
  .addOption(new Option('--no-mdns', 'do not advertise the hub on the LAN (mDNS); also TAPLINE_HUB_MDNS=0'))
  .action(async (o: {
    port: number; host: string; dataDir: string; cloudUrl?: string; venueKey?: string; name?: string;
    batchSize: number; requestTimeoutMs: number; pullIntervalMs: number; mdns: boolean;
  }) => {
    const log = createLogger();
    const { mdns, ...rest } = o;
    const advertise = mdns && !/^(0|false|no|off)$/i.test(process.env.TAPLINE_HUB_MDNS?.trim() ?? '');
    if (!advertise) log.info('mDNS advertising is off: terminals need the hub address typed in');
    const hub = await startHub({ ...rest, advertise, logger: log });
    if (process.stdout.isTTY) {
      const c = colours;
      process.stdout.write(
        `\n  ${c.bold('Tapline hub ready')}\n  Status page   ${c.cyan(`${hub.url}/`)}\n  Pairing code  ${c.bold(c.cyan(hub.pairingCode().code))}\n\n`,
      );
    }
    process.send?.({ type: 'ready', url: hub.url, hubId: hub.hubId, pairingCode: hub.pairingCode().code });
    let stopping = false;
    const stop = (signal: string) => {
      if (stopping) return;
      stopping = true;
      log.info({ signal }, 'stopping');
      hub.close().then(
        () => process.exit(0),
        (err: unknown) => {
          log.error({ err }, 'unclean stop');
          process.exit(1);
        },
      );
    };
    process.on('SIGTERM', () => stop('SIGTERM'));
    process.on('SIGINT', () => stop('SIGINT'));
    // When the orchestrator that forked us goes away, go with it.
    process.on('disconnect', () => stop('disconnect'));
  });

program
  .command('status')
  .description("print a running hub's status")
  .addOption(urlOption())
  .option('--json', 'print the raw JSON')
  .action(async (o: { url: string; json?: boolean }) => {
    const s = (await getJson(`${o.url.replace(/\/+$/, '')}/v1/status`)) as HubStatusReport;
    const useColour = process.stdout.isTTY && !process.env.NO_COLOR;
    process.stdout.write(`${o.json ? JSON.stringify(s, null, 2) : formatStatus(s, useColour ? colours : plain)}\n`);
  });

program
  .command('pair-code')
  .description('print a fresh pairing code (from the hub laptop only)')
  .addOption(urlOption())
  .action(async (o: { url: string }) => {
    const r = (await getJson(`${o.url.replace(/\/+$/, '')}/v1/pairing-codes`, { method: 'POST' })) as { code: string; expiresAt: string };
    process.stdout.write(`${r.code}\n`);
    if (process.stderr.isTTY) process.stderr.write(`valid until ${r.expiresAt}\n`);
  });

program.parseAsync(process.argv).catch((err: unknown) => {
  process.stderr.write(`hub: ${(err as Error).message}\n`);
  process.exit(1);
});
