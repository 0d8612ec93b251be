/** The demo's head office (seeded with the demo venue): printed by `npm start`, used by tests and screenshots. */
export const DEMO_ORGANISATION_ID = 'demo-festivals';
export const DEMO_ORGANISATION_NAME = 'Demo Festivals';
export const DEMO_PASSWORD = 'tapline-demo';
/**
 * The owner's TOTP secret, enrolled by the seed so the demo can print it (and each current code). A demo secret:
 * never use it for a real account.
 */
export const DEMO_OWNER_TOTP_SECRET = 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP';
export const DEMO_USERS = {
  owner: { email: 'owner@demo.tapline.test', name: 'Olivia Owner', role: 'owner' },
  /** Not enrolled: signs in with a QR code enrolment the first time. */
  manager: { email: 'manager@demo.tapline.test', name: 'Max Manager', role: 'manager' },
  /** No second factor (optional for viewers). */
  viewer: { email: 'viewer@demo.tapline.test', name: 'Vera Viewer', role: 'viewer' },
} as const;
