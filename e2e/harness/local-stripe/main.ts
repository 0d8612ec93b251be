import { contractsAvailable } from './contracts.ts';
import { startLocalStripe } from './server.ts';

/*
 * The local Stripe as its own process: `npx tsx e2e/harness/local-stripe/main.ts` (PORT, default 12111, 0 for any;
 * HOST default 127.0.0.1; LOCAL_STRIPE_KEY to accept one key only). Forked with IPC it sends
 * { type: 'ready', url } like the other Tapline processes; records and faults are at /__local/requests and
 * /__local/faults. SIGTERM/SIGINT or losing the IPC parent stop it.
 */

async function main(): Promise<void> {
  const available = contractsAvailable('stripeSpec', 'stripeFixtures');
  if (!available.ok) throw new Error(`The local Stripe cannot start: ${available.reason}.`);
  const port = process.env.PORT === undefined || process.env.PORT === '' ? 12111 : Number(process.env.PORT);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`PORT must be 0-65535, not "${process.env.PORT}"`);
  const stripe = await startLocalStripe({ port, host: process.env.HOST || '127.0.0.1', apiKey: process.env.LOCAL_STRIPE_KEY || undefined });
  console.log(`local Stripe listening on ${stripe.url}`);
  process.send?.({ type: 'ready', url: stripe.url });
  const stop = () => {
    stripe.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
  process.on('disconnect', stop);
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
