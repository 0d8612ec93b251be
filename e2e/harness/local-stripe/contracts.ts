import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/*
 * The providers' own OpenAPI files live beside the repository, in <repo>/../shared/contracts (see its README). A
 * checkout without that folder cannot run the contract tests: they skip loudly, and fail under CI=true.
 */

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');

export const CONTRACTS_DIR = process.env.TAPLINE_CONTRACTS_DIR || path.resolve(REPO, '../shared/contracts');

export const CONTRACT_FILES = {
  stripeSpec: path.join(CONTRACTS_DIR, 'stripe-openapi.json'),
  stripeFixtures: path.join(CONTRACTS_DIR, 'stripe-fixtures.json'),
  twilioSpec: path.join(CONTRACTS_DIR, 'twilio_api_v2010.json'),
} as const;

export type ContractFile = keyof typeof CONTRACT_FILES;

/** Whether the named contract files are here; the reason is a sentence for a skip or a CI failure. */
export function contractsAvailable(...files: ContractFile[]): { ok: true } | { ok: false; reason: string } {
  const missing = files.map((f) => CONTRACT_FILES[f]).filter((p) => !existsSync(p));
  if (missing.length === 0) return { ok: true };
  return {
    ok: false,
    reason: `the providers' contract files are missing (${missing.join(', ')}); they belong in ${CONTRACTS_DIR} (set TAPLINE_CONTRACTS_DIR to point elsewhere)`,
  };
}
