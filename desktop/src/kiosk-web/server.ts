import { randomBytes, timingSafeEqual } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express, { type NextFunction, type Request, type Response } from 'express';
import type { Logger } from 'pino';
import type { KioskEvents } from '../kiosk/api.ts';
import { KioskError } from '../kiosk/kiosk-error.ts';
import type { KioskService } from '../kiosk/kiosk-service.ts';

export interface KioskWebServer {
  /** The page to open, token included. */
  url: string;
  port: number;
  close(): Promise<void>;
}

const STATUS: Partial<Record<KioskError['code'], number>> = {
  invalid_input: 400,
  unknown_call: 404,
  wrong_pin: 401,
  not_supervisor: 403,
  wrong_station_role: 403,
  locked_out: 429,
  internal: 500,
};

/** A sentence for each way express refuses a call before the kiosk sees it. */
function callRefusal(err: Error & { type?: string }): string {
  switch (err.type) {
    case 'entity.parse.failed':
      return "The call's arguments are not valid JSON.";
    case 'entity.too.large':
      return "The call's arguments are larger than the kiosk accepts (64 kB).";
    case 'charset.unsupported':
    case 'encoding.unsupported':
      return `The call's arguments are not readable (${err.message}); send UTF-8 JSON.`;
    default:
      return err instanceof URIError ? 'The call name in the address is not valid: it has a broken %-escape.' : `The call could not be read: ${err.message}.`;
  }
}

/**
 * The browser kiosk's transport: the renderer's files and the kiosk API on loopback only. A random token in the page
 * URL keeps other local pages from calling the till.
 */
export async function startKioskWebServer(opts: {
  service: KioskService;
  rendererDir: string;
  port?: number;
  host?: string;
  /** Kept across restarts (see kiosk-token.ts) so an open kiosk page reconnects to a restarted process. */
  token?: string;
  log: Logger;
}): Promise<KioskWebServer> {
  const token = opts.token ?? randomBytes(24).toString('base64url');
  const tokenOk = (given: unknown) =>
    typeof given === 'string' && given.length === token.length && timingSafeEqual(Buffer.from(given), Buffer.from(token));

  const app = express();
  app.disable('x-powered-by');
  app.use((_req, res, next) => {
    res.setHeader('content-security-policy', "default-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'");
    res.setHeader('x-content-type-options', 'nosniff');
    res.setHeader('referrer-policy', 'no-referrer');
    next();
  });
  app.post('/api/call/:method', express.json({ limit: '64kb' }), async (req: Request, res: Response) => {
    if (!tokenOk(req.get('x-kiosk-token'))) {
      res.status(401).json({ error: { code: 'invalid_input', message: 'This page is not the kiosk (bad token).' } });
      return;
    }
    try {
      res.json(await opts.service.call(String(req.params.method), req.body));
    } catch (err) {
      const e = err instanceof KioskError ? err : new KioskError('internal', 'Something went wrong in the kiosk.');
      res.status(STATUS[e.code] ?? 409).json({ error: e.toBody() });
    }
  });

  const streams = new Set<Response>();
  app.get('/api/events', (req: Request, res: Response) => {
    if (!tokenOk(req.query.token)) {
      res.status(401).json({ error: { code: 'invalid_input', message: 'This page is not the kiosk (bad token).' } });
      return;
    }
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-store', connection: 'keep-alive' });
    res.write('retry: 1000\n\n');
    send(res, 'state', opts.service.state());
    streams.add(res);
    req.on('close', () => streams.delete(res));
  });

  app.use('/api', (req: Request, res: Response) => {
    res.status(404).json({ error: { code: 'unknown_call', message: `The kiosk has no ${req.method} ${req.baseUrl}${req.path}.` } });
  });
  // The page's files come after the API, so an /api address never reaches them: "/api/%2F/.." would otherwise resolve
  // to the page folder and be redirected there instead of refused (found by the fuzzer).
  app.use(express.static(opts.rendererDir, { index: 'index.html', maxAge: 0 }));
  // What express refuses before a call runs (arguments that are not JSON or too large, a broken %-escape in the call
  // name) is the page's mistake: said in the kiosk's error shape, never as an HTML error page.
  app.use((err: Error & { status?: number; type?: string }, _req: Request, res: Response, _next: NextFunction) => {
    const refused = typeof err.status === 'number' && err.status >= 400 && err.status < 500;
    if (!refused) opts.log.error({ err }, 'kiosk request failed');
    const body = refused
      ? { code: 'invalid_input' as const, message: callRefusal(err) }
      : { code: 'internal' as const, message: 'Something went wrong in the kiosk.' };
    res.status(refused ? err.status! : 500).json({ error: body });
  });

  function send<E extends keyof KioskEvents>(res: Response, event: E, payload: KioskEvents[E]): void {
    res.write(`event: ${event}\ndata: ${JSON.stringify(payload)}\n\n`);
  }
  const forward =
    <E extends keyof KioskEvents>(event: E) =>
    (payload: KioskEvents[E]) => {
      for (const res of streams) send(res, event, payload);
    };
  const onState = forward('state');
  const onTap = forward('tap');
  const onHubs = forward('hubs');
  const onBounce = forward('bounce');
  opts.service.on('state', onState);
  opts.service.on('tap', onTap);
  opts.service.on('hubs', onHubs);
  opts.service.on('bounce', onBounce);
  // Keeps idle streams alive through anything that times out quiet connections, and lets the page notice a dead kiosk.
  const heartbeat = setInterval(() => {
    for (const res of streams) res.write(': beat\n\n');
  }, 1000);

  const server: Server = createServer(app);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, opts.host ?? '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  const url = `http://127.0.0.1:${port}/?token=${token}`;
  opts.log.info({ port }, 'kiosk page served');

  return {
    url,
    port,
    close: async () => {
      clearInterval(heartbeat);
      opts.service.off('state', onState);
      opts.service.off('tap', onTap);
      opts.service.off('hubs', onHubs);
      opts.service.off('bounce', onBounce);
      for (const res of streams) res.end();
      streams.clear();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
