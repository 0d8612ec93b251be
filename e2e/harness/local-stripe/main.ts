import { runProviderProcess } from '../local-provider.ts';
import { contractsAvailable } from './contracts.ts';
import { startLocalStripe } from './server.ts';

/*
 * The local Stripe as its own process: `npx tsx e2e/harness/local-stripe/main.ts` (PORT, default 12111, 0 for any;
 * HOST default 127.0.0.1; LOCAL_STRIPE_KEY to accept one key only). Forked with IPC it sends
 * { type: 'ready', url } like the other Tapline processes; records and faults are at /__local/requests and
 * /__local/faults. SIGTERM/SIGINT or losing the IPC parent stop it.
 */

runProviderProcess({
  name: 'local Stripe',
  defaultPort: 12111,
  available: contractsAvailable('stripeSpec', 'stripeFixtures'),
  start: (at) => startLocalStripe({ ...at, apiKey: process.env.LOCAL_STRIPE_KEY || undefined }),
});
