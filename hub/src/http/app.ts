import express, { type NextFunction, type Request, type Response } from 'express';
import type { Logger } from 'pino';
import { describeZodError, PairRequest, PROTOCOL_VERSION, type ErrorBody, type PairResponse } from '@tapline/shared';
import type { PairingCodes } from '../pairing-codes.ts';
import type { HubStatusReport } from '../status-report.ts';
import { statusPageHtml } from './status-page.ts';

export interface HubAppDeps {
  pairing: PairingCodes;
  /** Registers a terminal and returns its credentials. */
  pairTerminal: (name: string) => PairResponse;
  status: () => HubStatusReport;
  log: Logger;
}

function sendError(res: Response, status: number, code: ErrorBody['code'], message: string): void {
  res.status(status).json({ code, message } satisfies ErrorBody);
}

/** A sentence for each way express.json refuses a body. */
function bodyRefusal(err: Error & { type?: string }): string {
  switch (err.type) {
    case 'entity.parse.failed':
      return `The request body is not valid JSON: ${err.message}`;
    case 'entity.too.large':
      return 'The request body is larger than the hub accepts (1 MB).';
    case 'charset.unsupported':
      return `The request body's charset is not supported (${err.message}); send UTF-8 JSON.`;
    case 'encoding.unsupported':
      return `The request body's content-encoding is not supported (${err.message}); send it uncompressed, gzip or deflate.`;
    default:
      return `The request body could not be read: ${err.message}.`;
  }
}

const LOOPBACK = new Set(['127.0.0.1', '::1', '::ffff:127.0.0.1']);

export function createHubApp(deps: HubAppDeps): express.Express {
  const app = express();
  app.disable('x-powered-by');
  app.use(express.json({ limit: '1mb' }));

  app.get('/', (_req, res) => {
    res.type('html').send(statusPageHtml);
  });

  app.get('/v1/status', (_req, res) => {
    res.set('cache-control', 'no-store').json(deps.status());
  });

  app.post('/v1/pair', (req, res) => {
    const body = req.body as { v?: unknown } | undefined;
    if (body && body.v !== undefined && body.v !== PROTOCOL_VERSION) {
      return sendError(res, 400, 'unsupported_version', `This hub speaks protocol version ${PROTOCOL_VERSION}.`);
    }
    const parsed = PairRequest.safeParse(req.body);
    if (!parsed.success) return sendError(res, 400, 'invalid_body', describeZodError(parsed.error));
    if (!deps.pairing.isValid(parsed.data.code)) {
      deps.log.warn({ name: parsed.data.name, ip: req.ip }, 'pairing refused: wrong or expired code');
      return sendError(res, 403, 'bad_pairing_code', 'This pairing code is wrong or has expired; read the current code on the hub.');
    }
    const paired = deps.pairTerminal(parsed.data.name);
    deps.log.info({ terminalId: paired.terminalId, name: parsed.data.name }, 'terminal paired');
    res.json(paired);
  });

  // Lets the simulator and the CLI on this laptop get a code; never offered to the LAN.
  app.post('/v1/pairing-codes', (req, res) => {
    if (!LOOPBACK.has(req.socket.remoteAddress ?? '')) {
      return sendError(res, 403, 'unauthorized', 'Pairing codes can only be requested from the hub laptop itself.');
    }
    const { code, expiresAt } = deps.pairing.issue();
    res.status(201).json({ code, expiresAt: expiresAt.toISOString() });
  });

  app.use((_req, res) => sendError(res, 404, 'not_found', 'No such endpoint on this hub.'));

  app.use((err: Error & { status?: number; type?: string }, _req: Request, res: Response, _next: NextFunction) => {
    // Every refusal of the body parser (bad JSON, too large, a charset or encoding it cannot read) is the client's.
    if (typeof err.status === 'number' && err.status >= 400 && err.status < 500) {
      return sendError(res, err.status, 'invalid_body', bodyRefusal(err));
    }
    deps.log.error({ err }, 'request failed');
    sendError(res, 500, 'internal', 'The hub failed to handle this request.');
  });
  return app;
}
