/*
 * The shapes of the console's JSON API, shared by the server routes (which check their answers against them with
 * `satisfies`) and the screens. No imports: the browser bundle and the server both compile this file alone.
 */

export type Role = 'owner' | 'manager' | 'viewer';

export interface ConsoleEventSummary {
  id: string;
  name: string;
  venueId: string;
  venueName: string;
  currency: string;
  timezone: string | null;
  startsAt: string | null;
  endsAt: string | null;
}

export interface SignedInSession {
  signedIn: true;
  csrfToken: string;
  user: { id: string; email: string; name: string; role: Role; totpEnrolled: boolean };
  organisation: { id: string; name: string };
  events: ConsoleEventSummary[];
  /** When this session ends whatever happens, and after how long without a request it ends sooner. */
  session: { expiresAt: string; idleMinutes: number };
}

export interface SignedOutSession {
  signedIn: false;
  csrfToken: string;
  /** Password accepted, second factor due. */
  pending?: { next: 'totp' | 'enrol'; email: string };
  /** The previous session ended by itself (idle or absolute limit). */
  expired?: boolean;
}

export type SessionResponse = SignedInSession | SignedOutSession;

export interface SignInResponse {
  next: 'done' | 'totp' | 'enrol';
  csrfToken: string;
}

export interface EnrolmentResponse {
  secret: string;
  uri: string;
  /** The QR code of `uri` as an SVG document. */
  qrSvg: string;
}

export interface TeamMember {
  id: string;
  email: string;
  name: string;
  role: Role;
  totpEnrolled: boolean;
  createdAt: string;
  lastSeenAt: string | null;
}

export interface TeamResponse {
  members: TeamMember[];
}

export interface AddMemberResponse {
  member: TeamMember;
  /** Shown once to the owner, who passes it on. */
  temporaryPassword: string;
}

export interface AuditEntry {
  id: number;
  at: string;
  userId: string | null;
  actorEmail: string | null;
  action: string;
  target: string;
  details: Record<string, unknown>;
}

export interface AuditResponse {
  entries: AuditEntry[];
  total: number;
  page: number;
  pageSize: number;
}

export interface ApiErrorBody {
  error: { code: string; message: string; details?: unknown };
}

/** GET /v1/console/events/:eventId/live (services/live-view.ts): money in minor units of `event.currency`. */
export interface LiveRowData {
  id: string | null;
  name: string;
  orders: number;
  quantity: number;
  net: number;
}

export interface LiveResponse {
  event: { id: string; name: string; currency: string; timezone: string; startsAt: string | null; endsAt: string | null };
  /** The database's clock when the figures were read. */
  generatedAt: string;
  totals: {
    gross: number;
    voids: number;
    net: number;
    orders: number;
    voidedOrders: number;
    average: number;
    items: number;
    tabs: number;
    tips: number;
    refunds: number;
  };
  overTime: { bucketSeconds: number; points: Array<{ at: string; orders: number; net: number }> };
  byProduct: LiveRowData[];
  byStation: LiveRowData[];
  byStaff: LiveRowData[];
  hubs: Array<{
    hubId: string;
    lastUploadAt: string | null;
    secondsSinceUpload: number | null;
    lastBatch: number | null;
    backlog: number | null;
    orders: number;
  }>;
}

/* ---- Set-up (issue 6.2): GET /v1/console/events/:eventId/setup and the changes, which answer the same shape. ---- */

export type StationMode = 'bar' | 'registration';
export type TaxMode = 'inclusive' | 'exclusive';
export type PromotionKind = 'category_percent' | 'bogo' | 'first_drink_free' | 'fixed_off';

/** The event as hubs get it; money in minor units of `currency`. */
export interface SetupEvent {
  id: string;
  name: string;
  currency: string;
  timezone: string;
  startsAt: string;
  endsAt: string;
  offlineBandAllowance: number;
  offlineTerminalTotal: number;
  noCardAllowance: number;
}

export interface SetupProduct {
  id: string;
  name: string;
  category: string;
  price: number;
  active: boolean;
}

export interface SetupStation {
  id: string;
  name: string;
  mode: StationMode;
  /** The menu, in display order. */
  productIds: string[];
}

export interface SetupTaxRule {
  id: string;
  category: string;
  /** 2,100 = 21 %. */
  basisPoints: number;
  mode: TaxMode;
  active: boolean;
  createdAt: string | null;
  deactivatedAt: string | null;
}

export interface SetupPromotion {
  id: string;
  name: string;
  kind: PromotionKind;
  category?: string;
  basisPoints?: number;
  appliesTo?: { productId?: string; category?: string };
  currency?: string;
  amount?: number;
  minimum?: number;
  window?: { from: string; to: string };
  active: boolean;
  createdAt: string | null;
  deactivatedAt: string | null;
}

export interface SetupResponse {
  event: SetupEvent;
  venue: { id: string; name: string };
  products: SetupProduct[];
  stations: SetupStation[];
  taxRules: SetupTaxRule[];
  promotions: SetupPromotion[];
  sms: { receiptTemplate: string; isDefault: boolean; defaultTemplate: string; placeholders: string[] };
  /** The venue's configuration log: its last seq, and the seq its hub last pulled up to (null: never pulled). */
  config: { cursor: number; hubCursor: number | null };
  /** Sales exist: the currency can no longer change. */
  hasSales: boolean;
}

/** POST /v1/console/venues/:venueId/events */
export interface CreateEventResponse {
  event: ConsoleEventSummary;
}

/* ---- Devices (issue 6.2): GET /v1/console/events/:eventId/devices ---- */

export interface DevicesHub {
  hubId: string;
  firstPushAt: string;
  lastPushAt: string;
  /** Orders in the last push. */
  lastBatch: number;
  /** Orders the hub said still wait behind its last push; null when it does not report it. */
  backlog: number | null;
  ordersPushed: number;
}

/**
 * A terminal of the venue: reported by a hub on its configuration pull (paired there, sold or not), or known from its
 * orders of this event (a hub too old to report its terminals), or both.
 */
export interface DevicesTerminal {
  terminalId: string;
  /** The name it was paired with at the hub (usually its station); null when no hub has reported it. */
  label: string | null;
  /** The hub it is paired with (as reported), else the hub its latest order came through. */
  hubId: string;
  /** Reported by a hub (paired there), as opposed to known from orders only. */
  reported: boolean;
  /** When the hub last heard from it, as of the hub's last report; null: never since pairing, or not reported. */
  lastSeenAt: string | null;
  /** Connected to its hub at the hub's last report; null when not reported. */
  online: boolean | null;
  /** When its hub last reported it. */
  reportedAt: string | null;
  /** Its orders in the hub's cloud outbox at the last report; null when not reported or not counted. */
  backlog: number | null;
  /** When the cloud received its latest order of this event; null: no order yet. */
  lastOrderAt: string | null;
  /** Its highest per-terminal seq the cloud holds for this event; null: no order yet. */
  lastSeq: number | null;
  /** Sales of this event the cloud holds from it. */
  sales: number;
  /** Sales and voids. */
  orders: number;
  /** Revoked by head office: the venue's hub disconnects and refuses it. */
  status: 'active' | 'revoked';
  revokedReason: string | null;
}

/* POST /v1/console/venues/:venueId/terminals/:terminalId/revoke | restore */
export interface TerminalStandingResponse {
  terminalId: string;
  status: 'active' | 'revoked';
  reason: string | null;
}

export interface DevicesResponse {
  venue: {
    id: string;
    name: string;
    /** A key is set: hubs with it can sync. */
    keyActive: boolean;
    keySetAt: string | null;
    keyRevokedAt: string | null;
    /** The last time a hub pulled configuration or pushed orders with the key. */
    lastSeenAt: string | null;
    lastPullAt: string | null;
    /** Configuration changes the hub has not pulled yet (null: never pulled). */
    configBehind: number | null;
  };
  hubs: DevicesHub[];
  terminals: DevicesTerminal[];
  /** The database's clock when this was read. */
  generatedAt: string;
}

/** POST /v1/console/venues/:venueId/key: the new key, shown this once. */
export interface VenueKeyResponse {
  key: string;
}

/* Attendees & tabs (issue 6.4): http/console/tabs-router.ts, issues-router.ts, tabs-exports-router.ts. Money in minor
   units of the event's currency. */

export type CardStatus = 'none' | 'pending' | 'ready' | 'failed';
export type TabPaymentStatus = 'authorizing' | 'authorized' | 'declined' | 'failed' | 'captured' | 'settled';

export interface ConsoleBand {
  uid: string;
  status: 'active' | 'blocked' | null;
}

export interface AttendeeSearchRow {
  /** `a:<attendeeId>`, or `b:<bandUid>` for a band with a tab but no attendee. */
  key: string;
  attendeeId: string | null;
  name: string | null;
  email: string | null;
  phone: string | null;
  bands: ConsoleBand[];
  tabTotal: number;
  orders: number;
  cardStatus: CardStatus | null;
  cardLast4: string | null;
  /** The most urgent payment state of the attendee's tabs; null when no card work has started. */
  payment: TabPaymentStatus | null;
}

export interface AttendeeSearchResponse {
  currency: string;
  rows: AttendeeSearchRow[];
  total: number;
  page: number;
  pageSize: number;
}

export interface TabLineView {
  name: string;
  quantity: number;
  unitPrice: number;
  /** The price the terminal recorded, when a price fix changed it. */
  recordedUnitPrice: number | null;
  gross: number;
  discount: number;
  tax: number;
  taxMode: 'inclusive' | 'exclusive' | null;
  total: number;
}

export interface TabOrderView {
  orderId: string;
  at: string;
  terminalId: string;
  station: string;
  staff: string | null;
  offline: boolean;
  /** counted: in the total; voided: cancelled on a terminal; pending: arrived after the tab was last priced. */
  status: 'counted' | 'voided' | 'pending';
  lines: TabLineView[];
  total: number;
  refunded: number;
  refundable: number;
  voided: { reason: string; by: string | null; at: string } | null;
}

export interface TabRefundView {
  id: string;
  orderId: string;
  amount: number;
  reason: string;
  at: string;
  by: string;
}

export interface TabDetailResponse {
  currency: string;
  bandUid: string;
  band: ConsoleBand | null;
  attendee: { id: string; name: string; email: string | null; phone: string | null; cardStatus: CardStatus; cardLast4: string | null; bands: ConsoleBand[] } | null;
  payment: { status: TabPaymentStatus; reason: string | null; capturedAmount: number | null; outstanding: number } | null;
  /** The tab as last priced by the tabs.recompute job; null before its first run. */
  summary: {
    subtotal: number;
    discounts: number;
    promotions: Array<{ id: string; name: string; amount: number }>;
    net: number;
    taxIncluded: number;
    taxAdded: number;
    ordersTotal: number;
    tip: number;
    refunds: number;
    total: number;
    updatedAt: string;
  } | null;
  /** True while facts exist that the stored tab does not reflect yet (a recompute is on its way). */
  recomputing: boolean;
  orders: TabOrderView[];
  refunds: TabRefundView[];
}

export interface TabCorrectionResponse {
  refund: TabRefundView;
  /** Paid back to the card by a Stripe refund, the tab having been charged already; 0 when the charge to come is lower instead. */
  toCard: number;
}

export interface PaymentIssueView {
  bandUid: string;
  attendeeId: string;
  name: string | null;
  status: TabPaymentStatus;
  reason: string | null;
  declineCode: string | null;
  tabTotal: number;
  capturedAmount: number;
  outstanding: number;
  flaggedAt: string | null;
}

export interface DeadLetterView {
  id: string;
  queue: string;
  /** What the job was for, in words. */
  what: string;
  bandUids: string[];
  error: string | null;
  errorCode: string | null;
  failedAt: string;
}

export interface IssuesResponse {
  currency: string;
  payments: PaymentIssueView[];
  deadLetters: DeadLetterView[];
}

export interface RetryResponse {
  queue: string;
  jobId: string;
}

export interface ExportView {
  id: string;
  kind: 'orders' | 'tabs';
  status: 'pending' | 'ready' | 'failed';
  rows: number | null;
  bytes: number | null;
  error: string | null;
  requestedAt: string;
  completedAt: string | null;
  /** A console path (scoped to the caller's organisation) once ready. */
  downloadUrl: string | null;
}

export interface ExportsResponse {
  exports: ExportView[];
}
