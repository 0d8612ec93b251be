import type Database from 'better-sqlite3';
import type { DeskAttendee, RegistrationFact, Wristband } from '@tapline/shared';
import type { AttendeeStore } from './attendee-store.ts';

interface OverlayRow {
  bandUid: string;
  pairingFactId: string | null;
  attendeeId: string | null;
  pairingAckedGen: number | null;
  blockFactId: string | null;
  cloudData: string | null;
}

/**
 * Counts config pulls. A pull cycle that starts after the cloud acked a pairing sees the cloud's resolution of it
 * (the cloud applies registration facts and appends the bands they change in the push's own transaction), so when
 * that cycle has caught up, the cloud's band is the truth. In memory: after a restart every earlier ack predates
 * every pull of this process (`BandState.afterRestart`).
 */
export class PullGeneration {
  current = 1;
}

/**
 * Bands as terminals must see them (`config`, kind 'band'), kept from two sources: the cloud's band entities and the
 * venue's own registration facts. The venue's facts are applied the moment the hub commits them; the cloud's
 * entities must not undo one the cloud has not received yet, so `band_overlay` remembers what the venue said and the
 * cloud's latest word on the band, and each band in `config` is the cloud's with the venue's facts on top:
 * - a pairing made here holds until the cloud has acked it and a later pull has caught up; then the cloud decides
 *   (its clash rule may have given the band to someone else, or left it unpaired);
 * - a block made here holds for ever (a blocked band is declined everywhere, for ever);
 * - a pairing of a band blocked at the hub is stored and forwarded (the cloud lists it) but changes nothing here.
 * Every method runs inside the caller's transaction.
 */
export class BandState {
  private readonly st;

  constructor(
    sqlite: Database.Database,
    private readonly attendees: AttendeeStore,
  ) {
    this.st = {
      band: sqlite.prepare<[string], { data: string; seq: number }>(`SELECT data, seq FROM config WHERE kind = 'band' AND key = ?`),
      putBand: sqlite.prepare(
        `INSERT INTO config (kind, key, data, seq) VALUES ('band', @key, @data, @seq)
         ON CONFLICT(kind, key) DO UPDATE SET data = excluded.data, seq = excluded.seq`,
      ),
      overlay: sqlite.prepare<[string], OverlayRow>(
        `SELECT band_uid AS bandUid, pairing_fact_id AS pairingFactId, attendee_id AS attendeeId,
                pairing_acked_gen AS pairingAckedGen, block_fact_id AS blockFactId, cloud_data AS cloudData
         FROM band_overlay WHERE band_uid = ?`,
      ),
      putOverlay: sqlite.prepare(
        `INSERT INTO band_overlay (band_uid, pairing_fact_id, attendee_id, pairing_acked_gen, block_fact_id, cloud_data)
         VALUES (@bandUid, @pairingFactId, @attendeeId, @pairingAckedGen, @blockFactId, @cloudData)
         ON CONFLICT(band_uid) DO UPDATE SET pairing_fact_id = excluded.pairing_fact_id, attendee_id = excluded.attendee_id,
           pairing_acked_gen = excluded.pairing_acked_gen, block_fact_id = excluded.block_fact_id, cloud_data = excluded.cloud_data`,
      ),
      deleteOverlay: sqlite.prepare('DELETE FROM band_overlay WHERE band_uid = ?'),
      markAcked: sqlite.prepare('UPDATE band_overlay SET pairing_acked_gen = ? WHERE pairing_fact_id = ? AND pairing_acked_gen IS NULL'),
      resetGens: sqlite.prepare('UPDATE band_overlay SET pairing_acked_gen = 0 WHERE pairing_acked_gen IS NOT NULL'),
      ackedBefore: sqlite.prepare<[number], OverlayRow>(
        `SELECT band_uid AS bandUid, pairing_fact_id AS pairingFactId, attendee_id AS attendeeId,
                pairing_acked_gen AS pairingAckedGen, block_fact_id AS blockFactId, cloud_data AS cloudData
         FROM band_overlay WHERE pairing_fact_id IS NOT NULL AND pairing_acked_gen < ?`,
      ),
      bandsOfAttendee: sqlite.prepare<[string], { data: string; seq: number }>(
        `SELECT data, seq FROM config WHERE kind = 'band' AND json_extract(data, '$.attendeeId') = ?`,
      ),
      counts: sqlite.prepare<[], { paired: number; blocked: number }>(
        `SELECT coalesce(sum(json_extract(data, '$.status') = 'active' AND json_extract(data, '$.attendeeId') IS NOT NULL), 0) AS paired,
                coalesce(sum(json_extract(data, '$.status') = 'blocked'), 0) AS blocked
         FROM config WHERE kind = 'band'`,
      ),
    };
  }

  /** Acks recorded before a restart predate every pull generation of this process. */
  afterRestart(): void {
    this.st.resetGens.run();
  }

  /** A desk's fact the hub has just stored (group commit). The bands it changed go to `changed`. */
  applyFact(fact: RegistrationFact, changed: Set<string>): void {
    if (fact.kind === 'signup') {
      this.attendees.putFromVenue({
        id: fact.attendee.id,
        eventId: fact.eventId,
        firstName: fact.attendee.firstName,
        lastName: fact.attendee.lastName,
        email: fact.attendee.email,
        phone: fact.attendee.phone,
        smsConsent: fact.attendee.smsConsent,
        cardStatus: 'none',
        cardLast4: null,
        confirmationCode: null,
        cardUrl: null,
      });
      return;
    }
    const current = this.st.band.get(fact.bandUid);
    const currentBand = current ? (JSON.parse(current.data) as Wristband) : undefined;
    const before = this.st.overlay.get(fact.bandUid);
    // With no overlay yet, what config holds is the cloud's own word on the band.
    const overlay: OverlayRow = before ?? {
      bandUid: fact.bandUid,
      pairingFactId: null,
      attendeeId: null,
      pairingAckedGen: null,
      blockFactId: null,
      cloudData: current ? current.data : null,
    };
    let base: Wristband;
    if (fact.kind === 'pairing') {
      if (currentBand?.status === 'blocked') return;
      overlay.pairingFactId = fact.id;
      overlay.attendeeId = fact.attendeeId;
      overlay.pairingAckedGen = null;
      base = currentBand ?? this.blank(fact.bandUid, fact.eventId, fact.replacesBandUid);
    } else {
      overlay.blockFactId = fact.id;
      base = currentBand ?? this.blank(fact.bandUid, fact.eventId, null);
    }
    this.st.putOverlay.run(overlay);
    this.write(this.compose(base, overlay), current?.seq ?? 0, currentBand, changed);
  }

  /**
   * A band entity from the cloud (config pull), unless the hub holds a newer cloud entry for it. Returns the band as
   * terminals must now see it, or null when nothing changed for them.
   */
  applyCloudBand(band: Wristband, seq: number): Wristband | null {
    const current = this.st.band.get(band.uid);
    if (current && current.seq > seq) return null;
    const currentBand = current ? (JSON.parse(current.data) as Wristband) : undefined;
    const overlay = this.st.overlay.get(band.uid);
    if (!overlay) {
      this.st.putBand.run({ key: band.uid, data: JSON.stringify(band), seq });
      return band;
    }
    overlay.cloudData = JSON.stringify(band);
    this.st.putOverlay.run(overlay);
    const changed = new Set<string>();
    const next = this.compose(band, overlay);
    this.write(next, seq, currentBand, changed);
    return changed.size ? next : null;
  }

  /**
   * When a pull cycle of generation `gen` has caught up: pairings the cloud acked before that cycle started yield to
   * the cloud's band (or to no attendee, when the cloud never sent the band: its rule left it unpaired).
   */
  resolveAcked(gen: number): Wristband[] {
    const out: Wristband[] = [];
    for (const o of this.st.ackedBefore.all(gen)) {
      const current = this.st.band.get(o.bandUid);
      const currentBand = current ? (JSON.parse(current.data) as Wristband) : undefined;
      const cloud = o.cloudData ? (JSON.parse(o.cloudData) as Wristband) : undefined;
      const rest: OverlayRow = { ...o, pairingFactId: null, attendeeId: null, pairingAckedGen: null };
      if (rest.blockFactId === null) this.st.deleteOverlay.run(o.bandUid);
      else this.st.putOverlay.run(rest);
      if (!cloud && !currentBand) continue;
      const base: Wristband = cloud ?? { ...currentBand!, attendeeId: null, firstName: null, hasCard: false };
      const changed = new Set<string>();
      const next = this.compose(base, rest);
      this.write(next, current?.seq ?? 0, currentBand, changed);
      if (changed.size) out.push(next);
    }
    return out;
  }

  /** The cloud acked these facts (uploader): a pairing among them may yield to the cloud after the next pull. */
  markAcked(factIds: Iterable<string>, gen: number): void {
    for (const id of factIds) this.st.markAcked.run(gen, id);
  }

  /** An attendee's name or card changed: the first name and `hasCard` of each of their bands follow. */
  refreshAttendee(a: DeskAttendee): Wristband[] {
    const out: Wristband[] = [];
    const hasCard = a.cardStatus === 'ready';
    for (const row of this.st.bandsOfAttendee.all(a.id)) {
      const band = JSON.parse(row.data) as Wristband;
      if (band.firstName === a.firstName && band.hasCard === hasCard) continue;
      const next = { ...band, firstName: a.firstName, hasCard };
      this.st.putBand.run({ key: band.uid, data: JSON.stringify(next), seq: row.seq });
      out.push(next);
    }
    return out;
  }

  band(uid: string): Wristband | undefined {
    const row = this.st.band.get(uid);
    return row ? (JSON.parse(row.data) as Wristband) : undefined;
  }

  counts(): { paired: number; blocked: number } {
    return this.st.counts.get()!;
  }

  /** The cloud's (or the hub's last) band with the venue's facts on top. */
  private compose(base: Wristband, o: OverlayRow): Wristband {
    let band = base;
    if (o.pairingFactId !== null && o.attendeeId !== null) {
      const a = this.attendees.get(o.attendeeId);
      const same = base.attendeeId === o.attendeeId;
      band = {
        ...band,
        attendeeId: o.attendeeId,
        firstName: a ? a.firstName : same ? base.firstName : null,
        hasCard: a ? a.cardStatus === 'ready' : same ? base.hasCard : false,
      };
    }
    if (o.blockFactId !== null) band = { ...band, status: 'blocked' };
    return band;
  }

  /** A band the cloud has not sent: a new band from the desk's box. A replacement keeps the lost band's tab limit. */
  private blank(uid: string, eventId: string, replaces: string | null): Wristband {
    const old = replaces ? this.band(replaces) : undefined;
    return { uid, eventId: eventId || old?.eventId || '', attendeeId: null, firstName: null, status: 'active', hasCard: false, tabLimit: old?.tabLimit ?? null };
  }

  private write(next: Wristband, seq: number, before: Wristband | undefined, changed: Set<string>): void {
    this.st.putBand.run({ key: next.uid, data: JSON.stringify(next), seq });
    if (!before || JSON.stringify(before) !== JSON.stringify(next)) changed.add(next.uid);
  }
}
