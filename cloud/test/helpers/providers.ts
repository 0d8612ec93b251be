import pino from 'pino';
import { contractsAvailable, type LocalStripe, startLocalStripe } from '../../../e2e/harness/local-stripe/index.ts';
import { type LocalTwilio, startLocalTwilio } from '../../../e2e/harness/local-twilio/index.ts';
import type { Providers } from '../../src/providers/config.ts';
import { LogPayments } from '../../src/providers/log-payments.ts';
import { StripePayments } from '../../src/providers/stripe-payments.ts';
import { TwilioSms } from '../../src/providers/twilio-sms.ts';

export const TWILIO_ACCOUNT = `AC${'0123456789abcdef'.repeat(2)}`;
export const TWILIO_FROM = '+15005550006';
export const STRIPE_KEY = 'sk_test_tapline_cloud_tests';

const quiet = pino({ level: 'silent' });

/**
 * Whether the providers' contract files are here (the local Twilio and Stripe check requests against them). A suite
 * that needs them skips with the reason, loudly; under CI=true it runs and fails instead.
 */
export function providersSkipReason(): string | false {
  const available = contractsAvailable('twilioSpec', 'stripeSpec', 'stripeFixtures');
  if (available.ok) return false;
  if (process.env.CI === 'true') return false;
  console.warn(`\n!!! SKIPPED: ${available.reason}\n`);
  return available.reason;
}

export interface LocalProviders {
  twilio: LocalTwilio;
  stripe: LocalStripe;
  /** The official SDKs at the local servers (over HTTP). */
  providers: Providers;
  close(): Promise<void>;
}

/** A local Twilio and a local Stripe, and the cloud's providers pointed at them (short timeouts for tests). */
export async function startLocalProviders(options: { stripe?: boolean } = {}): Promise<LocalProviders> {
  const twilio = await startLocalTwilio();
  const stripe = await startLocalStripe();
  const sms = new TwilioSms({ url: twilio.url, accountSid: TWILIO_ACCOUNT, authToken: 'test-token', from: TWILIO_FROM, timeoutMs: 5000, log: quiet });
  const payments = options.stripe === false ? new LogPayments(quiet) : new StripePayments({ url: stripe.url, key: STRIPE_KEY, timeoutMs: 5000, log: quiet });
  return {
    twilio,
    stripe,
    providers: { sms, payments },
    close: async () => {
      await twilio.close();
      await stripe.close();
    },
  };
}
