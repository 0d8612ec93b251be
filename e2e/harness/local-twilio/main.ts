import { runProviderProcess } from '../local-provider.ts';
import { contractsAvailable } from '../local-stripe/contracts.ts';
import { startLocalTwilio } from './server.ts';

/*
 * The local Twilio as its own process: `npx tsx e2e/harness/local-twilio/main.ts` (PORT, default 12112, 0 for any;
 * HOST default 127.0.0.1; LOCAL_TWILIO_ACCOUNT_SID / LOCAL_TWILIO_AUTH_TOKEN to accept one account only). Forked with
 * IPC it sends { type: 'ready', url }; records, messages and faults are at /__local/requests, /__local/messages and
 * /__local/faults. SIGTERM/SIGINT or losing the IPC parent stop it.
 */

runProviderProcess({
  name: 'local Twilio',
  defaultPort: 12112,
  available: contractsAvailable('twilioSpec'),
  start: (at) =>
    startLocalTwilio({
      ...at,
      accountSid: process.env.LOCAL_TWILIO_ACCOUNT_SID || undefined,
      authToken: process.env.LOCAL_TWILIO_AUTH_TOKEN || undefined,
    }),
});
