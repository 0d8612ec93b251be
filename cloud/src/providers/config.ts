import type { Logger } from 'pino';
import { z } from 'zod';
import { LogPayments } from './log-payments.ts';
import { LogSms } from './log-sms.ts';
import type { PaymentProvider } from './payments.ts';
import type { SmsProvider } from './sms.ts';
import { StripePayments } from './stripe-payments.ts';
import { TwilioSms } from './twilio-sms.ts';

/*
 * Which payment and SMS providers the cloud uses, from its environment. Each is configured by URL and credentials;
 * with none of a provider's variables set, the demo default writes to the log instead. Setting some but not all is
 * an error, never a silent fallback: a venue that meant to charge cards must not find out after the event that it
 * only logged.
 *
 * | variable | meaning |
 * | --- | --- |
 * | TAPLINE_STRIPE_URL | https://api.stripe.com, or the local Stripe in tests (http only on loopback) |
 * | TAPLINE_STRIPE_KEY | secret (sk_…) or restricted (rk_…) key |
 * | TAPLINE_STRIPE_RETURN_URL | optional: the attendee's tab page, sent as return_url when authorising |
 * | TAPLINE_STRIPE_TIMEOUT_MS | optional, default 20000 |
 * | TAPLINE_STRIPE_PUBLISHABLE_KEY | optional pk_…: the card page uses Stripe.js Elements (without it, only a test key gets the test-card form) |
 * | TAPLINE_STRIPE_WEBHOOK_SECRET | optional whsec_…: checks `POST /v1/stripe/webhook` (setup_intent.* events) |
 * | TAPLINE_TWILIO_URL | https://api.twilio.com, or Prism in tests |
 * | TAPLINE_TWILIO_ACCOUNT_SID | AC… |
 * | TAPLINE_TWILIO_AUTH_TOKEN | |
 * | TAPLINE_TWILIO_FROM | the sender number (+E.164) or a Messaging Service SID (MG…) |
 * | TAPLINE_TWILIO_TIMEOUT_MS | optional, default 15000 |
 */

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]', '::1']);

function baseUrl(variable: string, example: string, allowPath: boolean) {
  return z.string().superRefine((value, ctx) => {
    let url: URL;
    try {
      url = new URL(value);
    } catch {
      ctx.addIssue({ code: 'custom', message: `${variable} must be a URL such as ${example}, not "${value}".` });
      return;
    }
    if (url.protocol !== 'https:' && url.protocol !== 'http:') {
      ctx.addIssue({ code: 'custom', message: `${variable} must be an http(s) URL such as ${example}, not "${value}".` });
    } else if (url.protocol === 'http:' && !LOOPBACK.has(url.hostname)) {
      ctx.addIssue({ code: 'custom', message: `${variable} must use https unless it points at this machine (127.0.0.1), because the key travels with every request.` });
    }
    if (url.search || url.hash || url.username || (!allowPath && url.pathname !== '/')) {
      ctx.addIssue({ code: 'custom', message: `${variable} must be only a scheme, host and port, such as ${example}, not "${value}".` });
    }
  });
}

function timeout(variable: string) {
  return z
    .string()
    .regex(/^[1-9]\d{0,6}$/, { message: `${variable} must be a whole number of milliseconds between 1 and 9999999.` })
    .transform(Number)
    .optional();
}

const stripeEnv = z.object({
  TAPLINE_STRIPE_URL: baseUrl('TAPLINE_STRIPE_URL', 'https://api.stripe.com', false),
  TAPLINE_STRIPE_KEY: z.string().regex(/^(sk|rk)_(test|live)_[A-Za-z0-9_]+$/, {
    message: 'TAPLINE_STRIPE_KEY must be a secret key (sk_test_…, sk_live_…) or a restricted key (rk_…); a publishable key (pk_…) cannot charge cards.',
  }),
  TAPLINE_STRIPE_RETURN_URL: z.url({ message: 'TAPLINE_STRIPE_RETURN_URL must be a full URL (the attendee tab page).' }).optional(),
  TAPLINE_STRIPE_TIMEOUT_MS: timeout('TAPLINE_STRIPE_TIMEOUT_MS'),
  TAPLINE_STRIPE_PUBLISHABLE_KEY: z.string().regex(/^pk_(test|live)_[A-Za-z0-9_]+$/, {
    message: 'TAPLINE_STRIPE_PUBLISHABLE_KEY must be a publishable key (pk_test_… or pk_live_…).',
  }).optional(),
  TAPLINE_STRIPE_WEBHOOK_SECRET: z.string().regex(/^whsec_[A-Za-z0-9_+/=]+$/, {
    message: 'TAPLINE_STRIPE_WEBHOOK_SECRET must be the endpoint\'s signing secret (whsec_…).',
  }).optional(),
});

const twilioEnv = z.object({
  TAPLINE_TWILIO_URL: baseUrl('TAPLINE_TWILIO_URL', 'https://api.twilio.com', true),
  TAPLINE_TWILIO_ACCOUNT_SID: z.string().regex(/^AC[0-9a-fA-F]{32}$/, {
    message: 'TAPLINE_TWILIO_ACCOUNT_SID must be a Twilio account SID: AC followed by 32 hexadecimal characters.',
  }),
  TAPLINE_TWILIO_AUTH_TOKEN: z.string().min(1, { message: 'TAPLINE_TWILIO_AUTH_TOKEN must not be empty.' }),
  TAPLINE_TWILIO_FROM: z.string().regex(/^(\+[1-9]\d{6,14}|MG[0-9a-fA-F]{32})$/, {
    message: 'TAPLINE_TWILIO_FROM must be a sender number in international form (like +15005550006) or a Messaging Service SID (MG…).',
  }),
  TAPLINE_TWILIO_TIMEOUT_MS: timeout('TAPLINE_TWILIO_TIMEOUT_MS'),
});

export type StripeConfig =
  | { kind: 'stripe'; url: string; key: string; returnUrl?: string; timeoutMs?: number; publishableKey?: string; webhookSecret?: string }
  | { kind: 'log' };
export type TwilioConfig =
  | { kind: 'twilio'; url: string; accountSid: string; authToken: string; from: string; timeoutMs?: number }
  | { kind: 'log' };

export interface ProvidersConfig {
  payments: StripeConfig;
  sms: TwilioConfig;
}

export class ProvidersConfigError extends Error {
  override readonly name = 'ProvidersConfigError';
  readonly code = 'providers_config_invalid';
  constructor(readonly problems: string[]) {
    super(`The payment and SMS providers are not configured correctly. ${problems.join(' ')}`);
  }
}

type Env = Record<string, string | undefined>;

/** The variables of one provider that are set (empty counts as unset), or null when none is. */
function pick(env: Env, names: readonly string[]): Record<string, string> | null {
  const set = Object.fromEntries(names.filter((n) => env[n] !== undefined && env[n] !== '').map((n) => [n, env[n]!]));
  return Object.keys(set).length === 0 ? null : set;
}

function parseGroup<T extends z.ZodObject>(schema: T, env: Env, required: string[], what: string, problems: string[]): z.output<T> | null {
  const values = pick(env, Object.keys(schema.shape));
  if (!values) return null;
  const missing = required.filter((n) => values[n] === undefined);
  if (missing.length > 0) {
    problems.push(
      `${what} is partly configured: ${missing.join(' and ')} ${missing.length === 1 ? 'is' : 'are'} missing (set all of ${required.join(', ')}, or none of them to write ${what === 'Stripe' ? 'payments' : 'SMS'} to the log).`,
    );
    return null;
  }
  const parsed = schema.safeParse(values);
  if (!parsed.success) {
    problems.push(...parsed.error.issues.map((i) => i.message));
    return null;
  }
  return parsed.data;
}

/** Reads and checks the providers' variables; throws ProvidersConfigError listing every problem at once. */
export function parseProvidersEnv(env: Env = process.env): ProvidersConfig {
  const problems: string[] = [];
  const s = parseGroup(stripeEnv, env, ['TAPLINE_STRIPE_URL', 'TAPLINE_STRIPE_KEY'], 'Stripe', problems);
  const t = parseGroup(
    twilioEnv,
    env,
    ['TAPLINE_TWILIO_URL', 'TAPLINE_TWILIO_ACCOUNT_SID', 'TAPLINE_TWILIO_AUTH_TOKEN', 'TAPLINE_TWILIO_FROM'],
    'Twilio',
    problems,
  );
  if (problems.length > 0) throw new ProvidersConfigError(problems);
  return {
    payments: s
      ? {
          kind: 'stripe',
          url: s.TAPLINE_STRIPE_URL,
          key: s.TAPLINE_STRIPE_KEY,
          returnUrl: s.TAPLINE_STRIPE_RETURN_URL,
          timeoutMs: s.TAPLINE_STRIPE_TIMEOUT_MS,
          ...(s.TAPLINE_STRIPE_PUBLISHABLE_KEY ? { publishableKey: s.TAPLINE_STRIPE_PUBLISHABLE_KEY } : {}),
          ...(s.TAPLINE_STRIPE_WEBHOOK_SECRET ? { webhookSecret: s.TAPLINE_STRIPE_WEBHOOK_SECRET } : {}),
        }
      : { kind: 'log' },
    sms: t
      ? {
          kind: 'twilio',
          url: t.TAPLINE_TWILIO_URL,
          accountSid: t.TAPLINE_TWILIO_ACCOUNT_SID,
          authToken: t.TAPLINE_TWILIO_AUTH_TOKEN,
          from: t.TAPLINE_TWILIO_FROM,
          timeoutMs: t.TAPLINE_TWILIO_TIMEOUT_MS,
        }
      : { kind: 'log' },
  };
}

export interface Providers {
  payments: PaymentProvider;
  sms: SmsProvider;
}

/** The providers a config names. */
export function createProviders(config: ProvidersConfig, log: Logger): Providers {
  const payments: PaymentProvider =
    config.payments.kind === 'stripe'
      ? new StripePayments({ ...config.payments, log: log.child({ provider: 'stripe' }) })
      : new LogPayments(log.child({ provider: 'log-payments' }));
  const sms: SmsProvider =
    config.sms.kind === 'twilio' ? new TwilioSms({ ...config.sms, log: log.child({ provider: 'twilio' }) }) : new LogSms(log.child({ provider: 'log-sms' }));
  return { payments, sms };
}

/** The providers the environment asks for; the demo's log providers when it asks for none (said in the log). */
export function providersFromEnv(log: Logger, env: Env = process.env): Providers {
  const config = parseProvidersEnv(env);
  if (config.payments.kind === 'log') {
    log.warn('payments are written to the log, no card is charged (demo): set TAPLINE_STRIPE_URL and TAPLINE_STRIPE_KEY to use Stripe');
  } else {
    log.info({ url: config.payments.url, live: config.payments.key.includes('_live_') }, 'payments go to Stripe');
  }
  if (config.sms.kind === 'log') {
    log.warn('SMS are written to the log, none is sent (demo): set the TAPLINE_TWILIO_* variables to use Twilio');
  } else {
    log.info({ url: config.sms.url, from: config.sms.from }, 'SMS go to Twilio');
  }
  return createProviders(config, log);
}
