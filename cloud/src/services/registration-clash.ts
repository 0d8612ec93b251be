import { pairingOrder } from '@tapline/shared';

/*
 * The cloud's one clash rule for pairings made at desks that could not see each other, as a pure function of a set of
 * facts: whatever order they arrived in, the same set gives the same bands and the same losers.
 *
 *  1. Block: a band with a block is blocked for ever; a pairing of it made after its earliest block (pairingOrder)
 *     loses (`band_blocked`).
 *  2. Band: among a band's other pairings the earliest wins; a pairing of the band to another attendee loses
 *     (`band_two_attendees`). Two desks pairing the same band to the same attendee is no clash.
 *  3. Attendee: among the pairings that survived 1 and 2 and do not replace a lost band, the earliest of each attendee
 *     wins; a later one of another band loses (`attendee_two_bands`) and its band is left unpaired (no attendee). A
 *     pairing that lost its band to another attendee does not count here, so it cannot cost its attendee a band it
 *     never got. A replacement (`replacesBandUid`) is never an attendee clash: the desk blocked the old band first.
 *
 * Each losing pairing gets one kind, the first rule it fails, and the fact that beat it.
 */

export interface ClashPairing {
  id: string;
  createdAt: string;
  bandUid: string;
  attendeeId: string;
  replacesBandUid: string | null;
}

export interface ClashBlock {
  id: string;
  createdAt: string;
  bandUid: string;
}

export type ClashKind = 'band_two_attendees' | 'attendee_two_bands' | 'band_blocked';

export interface ClashLoser {
  loserId: string;
  kind: ClashKind;
  winnerId: string;
}

export interface ResolvedBand {
  uid: string;
  blocked: boolean;
  /** Whether any pairing of the band is known; without one the band keeps the attendee head office gave it. */
  paired: boolean;
  /** The winning pairing's attendee; null when every pairing of the band lost (or there is none). */
  attendeeId: string | null;
  winnerId: string | null;
}

export interface Resolution {
  bands: Map<string, ResolvedBand>;
  losers: Map<string, ClashLoser>;
}

function earliest<T extends { id: string; createdAt: string }>(list: readonly T[]): T | undefined {
  let best: T | undefined;
  for (const x of list) if (!best || pairingOrder(x, best) < 0) best = x;
  return best;
}

function groupBy<T>(list: readonly T[], key: (x: T) => string): Map<string, T[]> {
  const out = new Map<string, T[]>();
  for (const x of list) {
    const k = key(x);
    const g = out.get(k);
    if (g) g.push(x);
    else out.set(k, [x]);
  }
  return out;
}

export function resolveClashes(pairings: readonly ClashPairing[], blocks: readonly ClashBlock[]): Resolution {
  const losers = new Map<string, ClashLoser>();
  const firstBlock = new Map<string, ClashBlock>();
  for (const [uid, list] of groupBy(blocks, (b) => b.bandUid)) firstBlock.set(uid, earliest(list)!);

  const bandWinner = new Map<string, ClashPairing>();
  const survivors: ClashPairing[] = [];
  for (const [uid, list] of groupBy(pairings, (p) => p.bandUid)) {
    const block = firstBlock.get(uid);
    const open = block ? list.filter((p) => pairingOrder(block, p) > 0) : list;
    if (block) {
      for (const p of list) if (pairingOrder(block, p) < 0) losers.set(p.id, { loserId: p.id, kind: 'band_blocked', winnerId: block.id });
    }
    const winner = earliest(open);
    if (!winner) continue;
    bandWinner.set(uid, winner);
    for (const p of open) {
      if (p.attendeeId === winner.attendeeId) survivors.push(p);
      else losers.set(p.id, { loserId: p.id, kind: 'band_two_attendees', winnerId: winner.id });
    }
  }

  for (const list of groupBy(
    survivors.filter((p) => p.replacesBandUid === null),
    (p) => p.attendeeId,
  ).values()) {
    const winner = earliest(list)!;
    for (const p of list) {
      if (p.bandUid !== winner.bandUid) losers.set(p.id, { loserId: p.id, kind: 'attendee_two_bands', winnerId: winner.id });
    }
  }

  const bands = new Map<string, ResolvedBand>();
  const pairedUids = new Set(pairings.map((p) => p.bandUid));
  for (const uid of new Set([...pairedUids, ...firstBlock.keys()])) {
    const winner = bandWinner.get(uid);
    const holds = winner !== undefined && !losers.has(winner.id);
    bands.set(uid, {
      uid,
      blocked: firstBlock.has(uid),
      paired: pairedUids.has(uid),
      attendeeId: holds ? winner.attendeeId : null,
      winnerId: holds ? winner.id : null,
    });
  }
  return { bands, losers };
}
