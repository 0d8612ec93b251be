import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { CloudEnvError, parseCloudEnv } from '../src/env.ts';
import { tabLinks } from '../src/services/tab-links.ts';

describe('the cloud’s environment for SMS, links, payments and jobs', () => {
  test('nothing set: every default', () => {
    assert.deepEqual(parseCloudEnv({}), {
      publicUrl: undefined,
      linkSecret: undefined,
      payments: {},
      smsLeaseSeconds: undefined,
      jobMaintenanceIntervalSeconds: undefined,
      jobSettings: undefined,
    });
  });

  test('values are read and typed', () => {
    const s = parseCloudEnv({
      TAPLINE_PUBLIC_URL: 'https://tab.example.com',
      TAPLINE_LINK_SECRET: 'a-secret-of-enough-length',
      TAPLINE_AUTH_LEAD_HOURS: '12',
      TAPLINE_CAPTURE_DELAY_HOURS: '0.5',
      TAPLINE_PAYMENTS_SWEEP_SECONDS: '0',
      TAPLINE_SMS_LEASE_SECONDS: '30',
      TAPLINE_JOB_MAINTENANCE_SECONDS: '5',
      TAPLINE_JOB_SETTINGS: '{"sms.message":{"expireInSeconds":30,"retryDelay":1}}',
    });
    assert.deepEqual(s, {
      publicUrl: 'https://tab.example.com',
      linkSecret: 'a-secret-of-enough-length',
      payments: { authLeadHours: 12, captureDelayHours: 0.5, sweepIntervalSeconds: 0 },
      smsLeaseSeconds: 30,
      jobMaintenanceIntervalSeconds: 5,
      jobSettings: { 'sms.message': { expireInSeconds: 30, retryDelay: 1 } },
    });
  });

  test('every bad value is named in one error, in sentences', () => {
    const err = (() => {
      try {
        parseCloudEnv({
          TAPLINE_PUBLIC_URL: 'tab.example.com',
          TAPLINE_LINK_SECRET: 'short',
          TAPLINE_AUTH_LEAD_HOURS: 'soon',
          TAPLINE_JOB_SETTINGS: '{"sms.nope":{}}',
        });
      } catch (e) {
        return e;
      }
      return undefined;
    })();
    assert.ok(err instanceof CloudEnvError);
    assert.equal(err.code, 'cloud_env_invalid');
    assert.equal(err.problems.length, 4, err.message);
    assert.match(err.message, /TAPLINE_PUBLIC_URL must be a full URL/);
    assert.match(err.message, /TAPLINE_LINK_SECRET must have at least 16 characters/);
    assert.match(err.message, /TAPLINE_AUTH_LEAD_HOURS must be a number between 0 and 144/);
    assert.throws(() => parseCloudEnv({ TAPLINE_JOB_SETTINGS: 'not json' }), /TAPLINE_JOB_SETTINGS must be JSON/);
  });
});

describe('tab links', () => {
  const links = tabLinks({ secret: 'link-secret-0123456789', publicUrl: () => 'https://tab.example.com/' });

  test('a signed link names its event and band, and verifies', () => {
    const url = links.url('event:2026', '04A1B2C3D4E5F6');
    const token = url.replace('https://tab.example.com/t/', '');
    assert.match(token, /^04A1B2C3D4E5F6\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]{22}$/);
    assert.deepEqual(links.verify(token), { eventId: 'event:2026', bandUid: '04A1B2C3D4E5F6' });
  });

  test('another band, another event, another secret or a cut token does not verify', () => {
    const token = links.sign('ev-1', '04A1B2C3D4E5F6');
    const [band, event, mac] = token.split('.') as [string, string, string];
    assert.equal(links.verify(`04A1B2C3D4E5F7.${event}.${mac}`), undefined);
    assert.equal(links.verify(`${band}.${Buffer.from('ev-2').toString('base64url')}.${mac}`), undefined);
    assert.equal(tabLinks({ secret: 'another-secret-0123456789', publicUrl: () => '' }).verify(token), undefined);
    assert.equal(links.verify(token.slice(0, -1)), undefined);
    assert.equal(links.verify('nonsense'), undefined);
  });
});
