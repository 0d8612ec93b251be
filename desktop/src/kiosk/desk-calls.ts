import { describeZodError, normalizeBandUid, Phone, text, type Staff, type Station } from '@tapline/shared';
import type { Logger } from 'pino';
import { z } from 'zod';
import type { DeskSearchResult, RegistrationDesk, Terminal } from '../runtime/index.ts';
import type { CallArgs, CallResults, DeskAttendeeView, PairOutcome, PairRefusal, SignUpField, SignUpOutcome } from './api.ts';
import { attendeeView, qrSvg } from './desk-views.ts';
import { KioskError } from './kiosk-error.ts';
import type { TapBook } from './tap-book.ts';

type Args<M extends keyof typeof CallArgs> = z.output<(typeof CallArgs)[M]>;

/** How many attendees the desk remembers between a search and the calls that follow it (open, pair, block). */
const REMEMBER = 500;

const PAIR_REFUSALS: ReadonlySet<string> = new Set<PairRefusal>(['band_blocked', 'band_taken', 'unknown_attendee', 'replaced_band_not_blocked']);

/** The shared schemas of a sign-up's fields (shared/src/registration.ts), one by one so each error names its field. */
const SignUpFields = {
  firstName: text(60),
  lastName: text(60, 0).nullable(),
  email: z.email('an e-mail address such as name@example.com').max(254).nullable(),
  phone: Phone.nullable(),
} satisfies Record<SignUpField, z.ZodType>;

/**
 * What a registration desk does: find attendees at the hub, sign up walk-ups, pair tapped bands, block lost ones.
 * The runtime (`terminal.registration`) makes the facts; this keeps what the screens need between calls (the
 * attendees last seen, so an attendee opened after a search shows the bands just paired or blocked here).
 */
export class DeskCalls {
  private readonly seen = new Map<string, DeskSearchResult>();

  constructor(
    private readonly terminal: Terminal,
    private readonly taps: TapBook,
    private readonly log: Logger,
  ) {}

  async search({ query, limit }: Args<'deskSearch'>): Promise<DeskAttendeeView[]> {
    const results = await this.desk().search(query, limit ?? 20);
    for (const r of results) this.remember(r);
    return results.map((r) => attendeeView(r));
  }

  async attendee({ attendeeId }: Args<'deskAttendee'>): Promise<DeskAttendeeView> {
    const a = this.known(attendeeId);
    return attendeeView(a, a.cardUrl && a.cardStatus !== 'ready' ? await qrSvg(a.cardUrl) : null);
  }

  signUp(args: Args<'deskSignUp'>, who: { staff: Staff; station: Station }): SignUpOutcome {
    const input = {
      firstName: args.firstName,
      lastName: blankToNull(args.lastName),
      email: blankToNull(args.email),
      phone: normalisePhone(args.phone),
    };
    const fields: Partial<Record<SignUpField, string>> = {};
    const parsed: Record<string, unknown> = {};
    for (const key of Object.keys(SignUpFields) as SignUpField[]) {
      const r = SignUpFields[key].safeParse(input[key]);
      if (r.success) parsed[key] = r.data;
      else fields[key] = fieldMessage(key, r.error);
    }
    if (Object.keys(fields).length) return { ok: false, fields };
    const made = this.desk().signUp({
      firstName: parsed.firstName as string,
      lastName: parsed.lastName as string | null,
      email: parsed.email as string | null,
      phone: parsed.phone as string | null,
      smsConsent: args.smsConsent,
      staffId: who.staff.id,
      stationId: who.station.id,
    });
    this.log.info({ attendeeId: made.id, staffId: who.staff.id }, 'walk-up signed up');
    return { ok: true, attendee: attendeeView(this.remember({ ...made, bands: [] })) };
  }

  pair({ tapId, attendeeId, replacesBandUid }: Args<'deskPair'>, who: { staff: Staff; station: Station }): PairOutcome {
    return this.taps.use(tapId, 'pairing', (tap): PairOutcome => {
      const a = this.known(attendeeId);
      const replaces = replacesBandUid === null ? null : bandUid(replacesBandUid);
      // Their own band tapped again: nothing to record.
      if (a.bands.some((b) => b.uid === tap.uid && b.status === 'active')) {
        return { paired: true, bandUid: tap.uid, attendee: attendeeView(a), replacedBandUid: null };
      }
      // One band per attendee: a second band without replacing the first would lose at the cloud (attendee_two_bands).
      const current = a.bands.find((b) => b.status === 'active' && b.uid !== tap.uid);
      if (current && replaces !== current.uid) {
        return {
          paired: false,
          reason: 'attendee_has_band',
          message: `${a.firstName} already has band ${current.uid}. If it is lost or stolen, block it first, then tap the new band.`,
          bandUid: tap.uid,
        };
      }
      try {
        this.desk().pair({ attendeeId, bandUid: tap.uid, replacesBandUid: replaces, staffId: who.staff.id, stationId: who.station.id });
      } catch (err) {
        const code = (err as { code?: unknown }).code;
        if (typeof code === 'string' && PAIR_REFUSALS.has(code)) {
          return { paired: false, reason: code as PairRefusal, message: (err as Error).message, bandUid: tap.uid };
        }
        throw err;
      }
      const bands = a.bands.filter((b) => b.uid !== tap.uid).map((b) => (b.uid === replaces ? { ...b, status: 'blocked' as const } : b));
      const updated = this.remember({ ...a, bands: [...bands, { uid: tap.uid, status: 'active' }] });
      this.log.info({ attendeeId, bandUid: tap.uid, replacesBandUid: replaces, staffId: who.staff.id }, 'band paired');
      return { paired: true, bandUid: tap.uid, attendee: attendeeView(updated), replacedBandUid: replaces };
    });
  }

  band({ tapId }: Args<'deskBand'>): CallResults['deskBand'] {
    return this.desk().band(this.taps.get(tapId).uid);
  }

  block({ bandUid: raw, reason }: Args<'deskBlock'>, who: { staff: Staff; station: Station }): CallResults['deskBlock'] {
    const uid = bandUid(raw);
    const desk = this.desk();
    const before = desk.band(uid);
    const alreadyBlocked = before.status === 'blocked';
    if (!alreadyBlocked) {
      desk.block({ bandUid: uid, reason, staffId: who.staff.id, stationId: who.station.id });
      this.log.info({ bandUid: uid, reason, staffId: who.staff.id }, 'band blocked');
    }
    const owner =
      [...this.seen.values()].find((a) => a.id === before.attendeeId || a.bands.some((b) => b.uid === uid)) ??
      (before.attendeeId ? this.desk().attendee(before.attendeeId) : undefined);
    const attendee = owner ? this.remember({ ...owner, bands: owner.bands.map((b) => (b.uid === uid ? { ...b, status: 'blocked' } : b)) }) : null;
    return { bandUid: uid, alreadyBlocked, attendee: attendee && attendeeView(attendee) };
  }

  private desk(): RegistrationDesk {
    return this.terminal.registration;
  }

  /** Seen on this screen since the kiosk started, else as the terminal remembers them (found before a restart). */
  private known(attendeeId: string): DeskSearchResult {
    const a = this.seen.get(attendeeId);
    if (a) return a;
    const remembered = this.desk().attendee(attendeeId);
    if (!remembered) throw new KioskError('unknown_attendee', 'That attendee is no longer on this screen. Search for them again.');
    return this.remember(remembered);
  }

  private remember(a: DeskSearchResult): DeskSearchResult {
    this.seen.delete(a.id);
    this.seen.set(a.id, a);
    while (this.seen.size > REMEMBER) this.seen.delete(this.seen.keys().next().value!);
    return a;
  }
}

function blankToNull(s: string): string | null {
  return s.trim() === '' ? null : s.trim();
}

/** Spaces, dashes, dots and brackets are how people write numbers; "00" is how they dial "+". */
export function normalisePhone(s: string): string | null {
  const compact = s.replace(/[\s\-.()/]/g, '');
  if (compact === '') return null;
  return compact.startsWith('00') ? `+${compact.slice(2)}` : compact;
}

function bandUid(raw: string): string {
  const uid = normalizeBandUid(raw);
  if (!uid) throw new KioskError('invalid_input', `"${raw}" is not a band number: it is the 8 or 14 characters printed on the band.`);
  return uid;
}

function fieldMessage(field: SignUpField, error: z.ZodError): string {
  const issue = error.issues[0];
  if (field === 'firstName' && issue?.code === 'too_small') return 'A first name is needed.';
  if (issue?.code === 'too_big') return `At most ${String((issue as { maximum?: unknown }).maximum)} characters.`;
  const message = issue?.message ?? describeZodError(error);
  return message.charAt(0).toUpperCase() + message.slice(1) + (/[.!?]$/.test(message) ? '' : '.');
}
