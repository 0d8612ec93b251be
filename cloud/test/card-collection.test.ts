import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import pino from 'pino';
import { createProviders, parseProvidersEnv, ProvidersConfigError } from '../src/providers/config.ts';
import { LogPayments } from '../src/providers/log-payments.ts';
import type { PublicAttendee } from '../src/services/registration-signup.ts';
import { cardPage } from '../src/web/attendee-pages.ts';
import { renderPage } from '../src/web/layout.ts';

/* Which card form the attendee gets: Stripe.js Elements with a publishable key, test cards only in test/demo. */

const quiet = pino({ level: 'silent' });
const STRIPE = { TAPLINE_STRIPE_URL: 'https://api.stripe.com', TAPLINE_STRIPE_KEY: 'sk_test_abc' };
const collection = (env: Record<string, string>) => createProviders(parseProvidersEnv(env), quiet).payments.cardCollection;

const event = { id: 'e1', name: 'Riverside', currency: 'EUR', startsAt: '2026-07-01T18:00:00Z', endsAt: '2026-07-02T02:00:00Z', timezone: 'Europe/Amsterdam', noCardAllowance: 2000 };
const attendee: PublicAttendee = {
  id: 'a1',
  eventId: 'e1',
  firstName: 'Ana <b>',
  lastName: 'Lopez',
  email: 'ana@example.com',
  phone: null,
  smsConsent: false,
  cardStatus: 'none',
  cardLast4: null,
  confirmationCode: 'ABCD2345',
  cardError: null,
};

describe('card collection by configuration', () => {
  test('the demo (log) and a Stripe test key without a publishable key get test cards; a live key gets none', () => {
    assert.deepEqual(new LogPayments(quiet).cardCollection, { kind: 'test-cards' });
    assert.deepEqual(collection(STRIPE), { kind: 'test-cards' });
    assert.equal(collection({ ...STRIPE, TAPLINE_STRIPE_KEY: 'sk_live_abc' }).kind, 'none');
  });

  test('a publishable key turns on Stripe.js Elements; test and live keys must not be mixed', () => {
    assert.deepEqual(collection({ ...STRIPE, TAPLINE_STRIPE_PUBLISHABLE_KEY: 'pk_test_xyz' }), { kind: 'stripe-elements', publishableKey: 'pk_test_xyz' });
    assert.throws(() => collection({ ...STRIPE, TAPLINE_STRIPE_PUBLISHABLE_KEY: 'pk_live_xyz' }), /both be test keys or both live keys/);
  });

  test('bad publishable keys and webhook secrets are refused with a sentence', () => {
    const err = (() => {
      try {
        parseProvidersEnv({ ...STRIPE, TAPLINE_STRIPE_PUBLISHABLE_KEY: 'sk_test_oops', TAPLINE_STRIPE_WEBHOOK_SECRET: 'secret' });
      } catch (e) {
        return e as ProvidersConfigError;
      }
      assert.fail('accepted');
    })();
    assert.ok(err instanceof ProvidersConfigError);
    assert.deepEqual(err.problems, [
      'TAPLINE_STRIPE_PUBLISHABLE_KEY must be a publishable key (pk_test_… or pk_live_…).',
      "TAPLINE_STRIPE_WEBHOOK_SECRET must be the endpoint's signing secret (whsec_…).",
    ]);
  });
});

describe('card page markup', () => {
  const base = {
    event,
    attendee,
    cardPath: '/card/t',
    confirmationPath: '/e/e1/confirmation/c',
    formToken: 'tok',
    clientSecret: 'seti_1_secret_</script><script>alert(1)',
    returnUrl: 'https://tab.example/card/t/return',
    nonce: 'n0nce',
  };

  test('with Elements: Stripe.js from js.stripe.com under a nonce, the client secret escaped, no test cards', () => {
    const page = cardPage({ ...base, collection: { kind: 'stripe-elements', publishableKey: 'pk_test_xyz' } });
    const htmlText = renderPage(page);
    assert.match(htmlText, /<script src="https:\/\/js\.stripe\.com\/v3" nonce="n0nce"><\/script>/);
    assert.doesNotMatch(htmlText, /<\/script><script>alert/, 'the secret cannot close the script');
    assert.doesNotMatch(htmlText, /pm_card_visa/);
    assert.match(page.csp?.['script-src'] ?? '', /'nonce-n0nce' https:\/\/js\.stripe\.com/);
    assert.match(htmlText, /Hi Ana &lt;b&gt;/, 'names are escaped');
  });

  test('with test cards: a form of Stripe test PaymentMethods, said to be test-only, and no script at all', () => {
    const page = cardPage({ ...base, collection: { kind: 'test-cards' } });
    const htmlText = renderPage(page);
    assert.match(htmlText, /Test mode: no real card can be entered here/);
    assert.match(htmlText, /action="\/card\/t\/test-card"/);
    assert.doesNotMatch(htmlText, /<script/);
    assert.equal(page.csp, undefined);
  });
});
