/**
 * A band resting at the edge of the antenna can drop out for one poll and come straight back: the reader reports a
 * removal and a new card, but the bartender tapped once. Per reader, the same UID arriving again within `windowMs` of
 * leaving is that flap, not a new tap.
 */
export class UidBounceGate {
  private readonly left = new Map<string, { uid: string; at: number }>();

  constructor(private readonly windowMs = 800) {}

  /** True when this arrival is a new tap. */
  arrived(reader: string, uid: string, now: number): boolean {
    const last = this.left.get(reader);
    return !(last && last.uid === uid && now - last.at < this.windowMs);
  }

  departed(reader: string, uid: string, now: number): void {
    this.left.set(reader, { uid, at: now });
  }
}
