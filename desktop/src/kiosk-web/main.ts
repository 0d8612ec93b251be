import path from 'node:path';
import { Command, InvalidArgumentError, Option } from 'commander';
import { startKioskProcess } from '../kiosk/kiosk-process.ts';
import { buildRenderer } from '../renderer/build.ts';
import { createLogger } from '../runtime/log.ts';
import { findChromium, launchKioskWindow } from './chromium.ts';
import { kioskToken } from './kiosk-token.ts';
import { startKioskWebServer } from './server.ts';

function port(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new InvalidArgumentError('expected a port from 0 to 65535');
  return n;
}

const program = new Command('kiosk')
  .description('Tapline bartender kiosk in system Chromium (the same screens and runtime as the Electron app)')
  .addOption(new Option('--data-dir <dir>', "where the kiosk's SQLite file is kept").env('TAPLINE_KIOSK_DATA_DIR').default('.tapline/kiosk'))
  .addOption(new Option('--port <n>', 'loopback port of the kiosk page (0: any free port)').env('TAPLINE_KIOSK_PORT').default(0).argParser(port))
  .addOption(new Option('--chromium <path>', 'the Chromium to open the kiosk in').env('TAPLINE_CHROMIUM'))
  .option('--no-browser', 'serve the kiosk page without opening Chromium (for tests and remote screens)')
  .option('--no-nfc', 'run without the NFC reader (supervisors enter band numbers)')
  .option('--no-mdns', 'do not look for hubs on the LAN')
  .action(async (o: { dataDir: string; port: number; chromium?: string; browser: boolean; nfc: boolean; mdns: boolean }) => {
    const log = createLogger('kiosk');
    const dataDir = path.resolve(o.dataDir);
    const rendererDir = path.join(dataDir, 'renderer');
    await buildRenderer(rendererDir);
    const kiosk = startKioskProcess({ dataDir, logger: log, nfc: o.nfc, discovery: o.mdns });
    const web = await startKioskWebServer({ service: kiosk.service, rendererDir, port: o.port, token: kioskToken(dataDir), log });

    let stopping = false;
    const stop = async (code: number) => {
      if (stopping) return;
      stopping = true;
      await web.close();
      await kiosk.close();
      process.exit(code);
    };
    process.on('SIGINT', () => void stop(0));
    process.on('SIGTERM', () => void stop(0));
    process.on('disconnect', () => void stop(0));

    const headless = process.platform === 'linux' && !process.env.DISPLAY && !process.env.WAYLAND_DISPLAY;
    if (o.browser && headless) {
      log.info('no display here: open the kiosk page below in a browser');
    } else if (o.browser) {
      const exe = findChromium(o.chromium);
      if (!exe) {
        log.error('Chromium was not found. Install it (apt-get install chromium) or pass --chromium <path>; the kiosk page is at the URL below.');
      } else {
        const child = launchKioskWindow(exe, web.url, path.join(dataDir, 'chromium'));
        child.on('exit', (code) => {
          log.info({ code }, 'the kiosk window closed');
          void stop(0);
        });
      }
    }
    process.stdout.write(`\n  Tapline kiosk ready\n  Kiosk page  ${web.url}\n  Data        ${dataDir}\n\n`);
    process.send?.({ type: 'ready', url: web.url });
  });

await program.parseAsync();
