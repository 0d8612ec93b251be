import { connect } from 'node:net';
import { once } from 'node:events';

/** The two readers the vpcd driver gives pcscd, and the TCP port a virtual card dials to sit on each. */
export const VIRTUAL_READERS = [
  { name: 'Virtual PCD 00 00', port: 35963 },
  { name: 'Virtual PCD 00 01', port: 35964 },
] as const;

/** An ATR that nfc-pcsc classifies as an ISO 14443-3 tag (byte 5 is 0x4F), so it asks for the UID with GET DATA. */
export const ISO_14443_3_ATR = Buffer.from('3B8F8001804F0CA0000003060300030000000068', 'hex');

const CTRL_POWER_OFF = 0;
const CTRL_POWER_ON = 1;
const CTRL_RESET = 2;
const CTRL_GET_ATR = 4;
const GET_DATA_UID = Buffer.from('FFCA000000', 'hex');
const SW_OK = Buffer.from('9000', 'hex');
const SW_FUNCTION_NOT_SUPPORTED = Buffer.from('6A81', 'hex');

export interface PlaceTagOptions {
  host?: string;
  /** 35963 is "Virtual PCD 00 00", 35964 is "Virtual PCD 00 01". */
  port?: number;
  atr?: Buffer;
  /** Answer GET DATA with an error, like a damaged band or a card the reader cannot talk to. */
  failUidRead?: boolean;
}

export interface VirtualTag {
  readonly uid: string;
  /** Resolves once the reader has asked for the UID (GET DATA) and been answered: the event tests await. */
  readonly read: Promise<void>;
  /** Resolves when the tag is off the reader: removed by the test, or the other side (pcscd) went away. */
  readonly gone: Promise<void>;
  /** GET DATA requests answered so far; more than one for one placement means the reader saw the band twice. */
  uidReads(): number;
  /** Presence checks (GET ATR) answered so far: pcscd asks on every poll while the tag is on the reader. */
  polls(): number;
  /** Resolves after the reader has polled the tag `n` more times, i.e. it has looked at the held band again. */
  afterPolls(n: number): Promise<void>;
  /** Takes the tag off the reader (closes the socket); the reader notices on its next poll. */
  remove(): Promise<void>;
}

/**
 * Puts a virtual NFC tag on a vpcd reader: a TCP client speaking vpcd's framing (2-byte big-endian length, then the
 * payload, both ways). Resolves once connected; pcscd picks the tag up on its next presence poll.
 */
export async function placeTag(uidHex: string, opts: PlaceTagOptions = {}): Promise<VirtualTag> {
  const uid = Buffer.from(uidHex.replace(/[\s:-]/g, ''), 'hex');
  if (uid.length === 0) throw new Error(`"${uidHex}" is not a UID in hex.`);
  const atr = opts.atr ?? ISO_14443_3_ATR;
  const socket = connect({ host: opts.host ?? '127.0.0.1', port: opts.port ?? VIRTUAL_READERS[0].port });
  socket.setNoDelay(true);
  await once(socket, 'connect');

  let reads = 0;
  let pollCount = 0;
  let markRead!: () => void;
  const read = new Promise<void>((r) => (markRead = r));
  const pollWaiters: { at: number; resolve: () => void }[] = [];
  const gone = new Promise<void>((r) => socket.once('close', () => r()));
  // A reset by pcscd dying is how a tag learns it is gone; `gone` reports it, so the error itself is not news.
  socket.on('error', () => {});

  const send = (payload: Buffer) => {
    const head = Buffer.alloc(2);
    head.writeUInt16BE(payload.length);
    socket.write(Buffer.concat([head, payload]));
  };

  const answer = (msg: Buffer) => {
    if (msg.length === 1) {
      const code = msg[0];
      if (code === CTRL_GET_ATR) {
        send(atr);
        pollCount++;
        for (const w of pollWaiters.filter((w) => pollCount >= w.at)) {
          pollWaiters.splice(pollWaiters.indexOf(w), 1);
          w.resolve();
        }
      } else if (code !== CTRL_POWER_OFF && code !== CTRL_POWER_ON && code !== CTRL_RESET) {
        socket.destroy(new Error(`vpcd sent an unknown control code ${code}`));
      }
      return;
    }
    if (msg.equals(GET_DATA_UID)) {
      send(opts.failUidRead ? SW_FUNCTION_NOT_SUPPORTED : Buffer.concat([uid, SW_OK]));
      reads++;
      markRead();
      return;
    }
    send(SW_FUNCTION_NOT_SUPPORTED);
  };

  let pending = Buffer.alloc(0);
  socket.on('data', (chunk: Buffer) => {
    pending = Buffer.concat([pending, chunk]);
    while (pending.length >= 2) {
      const len = pending.readUInt16BE(0);
      if (pending.length < 2 + len) break;
      const msg = pending.subarray(2, 2 + len);
      pending = pending.subarray(2 + len);
      answer(msg);
    }
  });

  return {
    uid: uid.toString('hex').toUpperCase(),
    read,
    gone,
    uidReads: () => reads,
    polls: () => pollCount,
    afterPolls: (n) => new Promise<void>((resolve) => pollWaiters.push({ at: pollCount + n, resolve })),
    remove: async () => {
      if (!socket.destroyed) socket.destroy();
      await gone;
    },
  };
}

/**
 * A band tapped the way a person does it: on the reader until the reader has read the UID (plus `holdMs`, if the
 * test wants a lingering hand), then off. Resolves after removal.
 */
export async function tap(uidHex: string, opts: PlaceTagOptions & { holdMs?: number } = {}): Promise<void> {
  const tag = await placeTag(uidHex, opts);
  try {
    await Promise.race([tag.read, tag.gone.then(() => Promise.reject(new Error(`the reader went away before it read tag ${tag.uid}`)))]);
    if (opts.holdMs) await new Promise((r) => setTimeout(r, opts.holdMs));
  } finally {
    await tag.remove();
  }
}
