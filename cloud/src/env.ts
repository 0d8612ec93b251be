import { z } from 'zod';
import { QUEUES, type QueueName, type QueueSettings } from './jobs/queue.ts';
import type { PaymentSettings } from './services/payment-settings.ts';

/*
 * The cloud's environment for SMS, links, payments and jobs, checked whole: every problem is listed at once in
 * sentences, and nothing half-set is silently ignored.
 *
 * | variable | default | meaning |
 * | --- | --- | --- |
 * | TAPLINE_PUBLIC_URL | the cloud's own URL | where attendees open their tab (`<url>/t/<token>` in SMS) |
 * | TAPLINE_LINK_SECRET | derived from the admin token | HMAC key of tab links (16+ characters) |
 * | TAPLINE_AUTH_LEAD_HOURS | 24 | holds are placed this long before an event starts |
 * | TAPLINE_CAPTURE_DELAY_HOURS | 6 | tabs are captured this long after an event ends |
 * | TAPLINE_PAYMENTS_SWEEP_SECONDS | 60 | how often the payment sweeper runs; 0 turns it off |
 * | TAPLINE_SMS_LEASE_SECONDS | 120 | how long an SMS send may be in flight before another attempt checks on it |
 * | TAPLINE_JOB_MAINTENANCE_SECONDS | 120 | how often jobs of dead workers are looked for (pg-boss maintenance) |
 * | TAPLINE_JOB_SETTINGS | — | JSON per-queue overrides, e.g. {"sms.message":{"expireInSeconds":30}} |
 */

export interface CloudEnvSettings {
  publicUrl?: string;
  linkSecret?: string;
  payments: Partial<PaymentSettings>;
  smsLeaseSeconds?: number;
  jobMaintenanceIntervalSeconds?: number;
  jobSettings?: Partial<Record<QueueName, Partial<QueueSettings>>>;
}

const number = (name: string, min: number, max: number) =>
  z
    .string()
    .trim()
    .regex(/^\d+(\.\d+)?$/, { message: `${name} must be a number between ${min} and ${max}.` })
    .transform(Number)
    .refine((n) => n >= min && n <= max, { message: `${name} must be a number between ${min} and ${max}.` })
    .optional();

const queueNames = Object.values(QUEUES) as [QueueName, ...QueueName[]];
const QueueOverrides = z.partialRecord(
  z.enum(queueNames),
  z.object({
    retryLimit: z.number().int().min(0).max(100).optional(),
    retryDelay: z.number().int().min(0).max(86_400).optional(),
    expireInSeconds: z.number().int().min(1).max(86_400).optional(),
  }).strict(),
);

const Env = z.object({
  TAPLINE_PUBLIC_URL: z.url({ message: 'TAPLINE_PUBLIC_URL must be a full URL such as https://tab.example.com.' }).optional(),
  TAPLINE_LINK_SECRET: z.string().min(16, { message: 'TAPLINE_LINK_SECRET must have at least 16 characters.' }).optional(),
  TAPLINE_AUTH_LEAD_HOURS: number('TAPLINE_AUTH_LEAD_HOURS', 0, 24 * 6),
  TAPLINE_CAPTURE_DELAY_HOURS: number('TAPLINE_CAPTURE_DELAY_HOURS', 0, 24 * 6),
  TAPLINE_PAYMENTS_SWEEP_SECONDS: number('TAPLINE_PAYMENTS_SWEEP_SECONDS', 0, 86_400),
  TAPLINE_SMS_LEASE_SECONDS: number('TAPLINE_SMS_LEASE_SECONDS', 1, 86_400),
  TAPLINE_JOB_MAINTENANCE_SECONDS: number('TAPLINE_JOB_MAINTENANCE_SECONDS', 1, 86_400),
  TAPLINE_JOB_SETTINGS: z
    .string()
    .transform((text, ctx) => {
      try {
        return JSON.parse(text) as unknown;
      } catch {
        ctx.addIssue({ code: 'custom', message: 'TAPLINE_JOB_SETTINGS must be JSON, such as {"sms.message":{"expireInSeconds":30}}.' });
        return z.NEVER;
      }
    })
    .pipe(QueueOverrides)
    .optional(),
});

export class CloudEnvError extends Error {
  override readonly name = 'CloudEnvError';
  readonly code = 'cloud_env_invalid';
  constructor(readonly problems: string[]) {
    super(`The cloud's environment is not valid. ${problems.join(' ')}`);
  }
}

export function parseCloudEnv(env: Record<string, string | undefined> = process.env): CloudEnvSettings {
  const set = Object.fromEntries(Object.entries(env).filter(([k, v]) => k in Env.shape && v !== undefined && v !== ''));
  const r = Env.safeParse(set);
  if (!r.success) {
    throw new CloudEnvError(r.error.issues.map((i) => (i.path.length && !i.message.startsWith('TAPLINE_') ? `${i.path.join('.')}: ${i.message}` : i.message)));
  }
  const e = r.data;
  const payments: Partial<PaymentSettings> = {};
  if (e.TAPLINE_AUTH_LEAD_HOURS !== undefined) payments.authLeadHours = e.TAPLINE_AUTH_LEAD_HOURS;
  if (e.TAPLINE_CAPTURE_DELAY_HOURS !== undefined) payments.captureDelayHours = e.TAPLINE_CAPTURE_DELAY_HOURS;
  if (e.TAPLINE_PAYMENTS_SWEEP_SECONDS !== undefined) payments.sweepIntervalSeconds = e.TAPLINE_PAYMENTS_SWEEP_SECONDS;
  return {
    publicUrl: e.TAPLINE_PUBLIC_URL,
    linkSecret: e.TAPLINE_LINK_SECRET,
    payments,
    smsLeaseSeconds: e.TAPLINE_SMS_LEASE_SECONDS,
    jobMaintenanceIntervalSeconds: e.TAPLINE_JOB_MAINTENANCE_SECONDS,
    jobSettings: e.TAPLINE_JOB_SETTINGS as CloudEnvSettings['jobSettings'],
  };
}
