import fc from 'fast-check';

/**
 * Generated malformed and hostile input, shared by every fuzz test. Each arbitrary produces what a buggy peer or an
 * attacker could send: wrong types, missing and extra fields, huge strings, deep nesting, prototype-pollution keys,
 * odd unicode, NaN-like strings, negative and fractional money. `mutationOf` corrupts one field of a valid message,
 * which reaches deeper into a handler than noise does.
 */

export interface TextLimits {
  /** U+0000 in strings. Off where a known gap would fail every run (see KNOWN_GAPS in the cloud test). */
  nul?: boolean;
  /** Unpaired UTF-16 surrogates (U+D800…U+DFFF alone). */
  loneSurrogates?: boolean;
  /** Whole strings never to produce (replaced by "x"). */
  exclude?: readonly string[];
}

const ALL_TEXT: TextLimits = { nul: true, loneSurrogates: true };

/** Drops what `limits` excludes, so one switch turns a class of input off everywhere. */
export function cleanText(s: string, limits: TextLimits = ALL_TEXT): string {
  if (limits.exclude?.includes(s)) return 'x';
  let out = s;
  if (limits.nul === false) out = out.replace(/\u0000/g, '');
  if (limits.loneSurrogates === false) out = out.replace(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g, '');
  return out;
}

export const PROTO_KEYS = ['__proto__', 'constructor', 'prototype', 'toString', 'valueOf', 'hasOwnProperty', '__defineGetter__'] as const;

const SPECIAL_STRINGS = [
  '',
  ' ',
  '\t\n',
  ...PROTO_KEYS,
  'NaN',
  'Infinity',
  '-Infinity',
  '1e309',
  '-0',
  '0x1F',
  '1_000',
  '12.50',
  '-650',
  'null',
  'undefined',
  'true',
  '[]',
  '{}',
  '../../../etc/passwd',
  '..\\..\\windows\\win.ini',
  '%00',
  '%2e%2e%2f',
  '\u0000',
  'a\u0000b',
  '\uFEFF',
  '\u202Eevil',
  '\uD800',
  'x\uDFFFy',
  '😀🍺',
  'ｅｕｒ',
  'EUR\u0000',
  'Zoë',
  "' OR 1=1 --",
  '"; DROP TABLE orders; --',
  '<script>alert(1)</script>',
  '${7*7}{{7*7}}',
  '\r\nX-Injected: 1',
  '0000-01-01T00:00:00Z',
  '2024-02-30T10:00:00Z',
  '0000-12-31T23:59:59+01:00',
  '9999-12-31T23:59:59.999999999+14:00',
  '1970-01-01T00:00:00Z',
  '04A1B2C3',
  '04a1b2c3',
  '04:A1:B2:C3',
  '01890000-0000-7000-8000-000000000000',
  '00000000-0000-0000-0000-000000000000',
];

/** Any string, weighted towards the ones that break parsers, databases and templates. */
export function hostileString(limits: TextLimits = ALL_TEXT): fc.Arbitrary<string> {
  return fc
    .oneof(
      { arbitrary: fc.constantFrom(...SPECIAL_STRINGS), weight: 4 },
      { arbitrary: fc.string({ unit: 'binary', maxLength: 40 }), weight: 3 },
      { arbitrary: fc.string({ unit: 'grapheme', maxLength: 40 }), weight: 2 },
      { arbitrary: fc.string({ maxLength: 40 }), weight: 2 },
      {
        arbitrary: fc.tuple(fc.constantFrom('A', '9', 'é', '😀', '\u0000', 'ab '), fc.integer({ min: 257, max: 70_000 })).map(([c, n]) => c.repeat(n)),
        weight: 1,
      },
    )
    .map((s) => cleanText(s, limits));
}

/** Numbers no amount or count should accept, and a few it should. */
export function hostileNumber(): fc.Arbitrary<number> {
  return fc.oneof(
    fc.constantFrom(-0, 0, 1, -1, 0.5, -0.01, 1.005, 999.999, 2 ** 31, 2 ** 53, 2 ** 53 + 2, -(2 ** 53), 1e21, 1e308, -1e308, 5e-324, 1_000_000_000_01),
    fc.integer({ min: -1_000_000, max: 1_000_000 }),
    fc.double({ noNaN: true, noDefaultInfinity: true }),
  );
}

/** Object keys: prototype pollution first, then the protocol's own names, then anything. */
export function hostileKey(limits: TextLimits = ALL_TEXT): fc.Arbitrary<string> {
  return fc.oneof(
    { arbitrary: fc.constantFrom(...PROTO_KEYS), weight: 3 },
    { arbitrary: fc.constantFrom('v', 'id', 'orders', 'code', 'name', 'token', 'terminalId', 'total', 'lines', 'kind', 'error'), weight: 3 },
    { arbitrary: fc.string({ unit: 'binary', maxLength: 12 }).map((s) => cleanText(s, limits)), weight: 2 },
  );
}

/**
 * An object with these entries as its own properties, `__proto__` included: `{ __proto__: x }` or `o[k] = v` would
 * set the prototype instead, and JSON.stringify would then leave the key out.
 */
export function ownObject(entries: ReadonlyArray<readonly [string, unknown]>): Record<string, unknown> {
  return Object.fromEntries(entries);
}

/** A JSON value built from hostile leaves, keys and shapes. */
export function hostileJson(limits: TextLimits = ALL_TEXT, maxDepth = 4): fc.Arbitrary<unknown> {
  const leaf = fc.oneof(
    fc.constant(null),
    fc.boolean(),
    hostileNumber(),
    hostileString(limits),
    fc.constant([]),
    fc.constant({}),
  );
  const { tree } = fc.letrec<{ tree: unknown }>((tie) => ({
    tree: fc.oneof(
      { depthSize: 'small', maxDepth, depthIdentifier: 'hostile-json' },
      leaf,
      fc.array(tie('tree'), { maxLength: 5 }),
      fc.array(fc.tuple(hostileKey(limits), tie('tree')), { maxLength: 5 }).map(ownObject),
    ),
  }));
  return fc.oneof({ arbitrary: tree, weight: 8 }, { arbitrary: deepValue(), weight: 1 }, { arbitrary: wideArray(), weight: 1 });
}

/** Nesting far past any real message: stack-hungry recursion in a parser or validator shows here. */
export function deepValue(maxDepth = 3000): fc.Arbitrary<unknown> {
  return fc.tuple(fc.integer({ min: 100, max: maxDepth }), fc.boolean()).map(([depth, objects]) => {
    let v: unknown = objects ? { v: 1 } : [1];
    for (let i = 0; i < depth; i++) v = objects ? { a: v } : [v];
    return v;
  });
}

/** Many small items: batch limits and per-item loops. */
export function wideArray(): fc.Arbitrary<unknown[]> {
  return fc.tuple(fc.integer({ min: 501, max: 3000 }), fc.constantFrom<unknown>(null, 0, 'x', {}, [])).map(([n, item]) => Array.from({ length: n }, () => item));
}

/** Wrong protocol versions, as the `v` of an envelope. */
export function wrongVersion(): fc.Arbitrary<unknown> {
  return fc.oneof(fc.constantFrom<unknown>(0, 2, -1, 1.5, '1', 'v1', null, true, [1], { v: 1 }, 1e308), fc.integer({ min: 2, max: 1_000_000 }));
}

// ── Mutations of valid messages ──

type Path = Array<string | number>;

/**
 * Places in a JSON value where a mutation can land (the root excluded), down to a depth where real messages end: a
 * mutant that is already 3,000 levels deep needs no further corruption at level 2,999.
 */
function pathsOf(value: unknown, prefix: Path = [], out: Path[] = []): Path[] {
  if (prefix.length >= 8 || out.length >= 400) return out;
  if (Array.isArray(value)) {
    value.slice(0, 50).forEach((v, i) => {
      out.push([...prefix, i]);
      pathsOf(v, [...prefix, i], out);
    });
  } else if (value && typeof value === 'object') {
    for (const [k, v] of Object.entries(value).slice(0, 50)) {
      out.push([...prefix, k]);
      pathsOf(v, [...prefix, k], out);
    }
  }
  return out;
}

function cloneJson<T>(v: T): T {
  return JSON.parse(JSON.stringify(v)) as T;
}

/** The container of `path`'s last step, in a fresh copy of `root`. */
function parentOf(root: unknown, path: Path): Record<string | number, unknown> {
  let cur = root as Record<string | number, unknown>;
  for (const step of path.slice(0, -1)) cur = cur[step] as Record<string | number, unknown>;
  return cur;
}

export interface Mutant {
  value: unknown;
  /** What was done, for the failure message. */
  mutation: string;
}

/** A change to one field that keeps its type's neighbourhood: the subtle corruptions a buggy peer makes. */
function nearMiss(old: unknown, limits: TextLimits): fc.Arbitrary<unknown> {
  if (typeof old === 'number') {
    return fc.constantFrom<unknown>(-old, old + 0.5, old - 1, old * 1000, String(old), 1e308, -1, 0, Number.MAX_SAFE_INTEGER + 2, null);
  }
  if (typeof old === 'string') {
    return fc.oneof(
      fc.constantFrom<unknown>('', ` ${old} `, old.toLowerCase(), old.toUpperCase(), `${old}\u0000`, old.slice(0, -1), `${old}x`, old.repeat(300), [old], 0),
      hostileString(limits),
    ).map((s) => (typeof s === 'string' ? cleanText(s, limits) : s));
  }
  if (typeof old === 'boolean') return fc.constantFrom<unknown>(!old, String(old), old ? 1 : 0, null);
  if (Array.isArray(old)) return fc.constantFrom<unknown>([], [null], old.concat(old), {}, null, old.length);
  if (old === null) return fc.constantFrom<unknown>(0, '', 'null', {}, []);
  return fc.constantFrom<unknown>([], null, 'object', 1);
}

/**
 * One valid value with one field corrupted: replaced by a hostile value or a near miss, deleted, or joined by a
 * polluting key. The result may still be valid (a near miss can land on another valid value); callers judge it
 * with the protocol's own schema and accept either a success or a clear refusal.
 */
export function mutationOf(valid: unknown, limits: TextLimits = ALL_TEXT): fc.Arbitrary<Mutant> {
  const paths = pathsOf(valid);
  if (paths.length === 0) return hostileJson(limits).map((value) => ({ value, mutation: 'replaced whole' }));
  return fc.integer({ min: 0, max: paths.length - 1 }).chain((i) => {
    const path = paths[i]!;
    const where = path.join('.');
    const old = parentOf(valid, path)[path.at(-1)!];
    const set = (v: unknown): Mutant => {
      const copy = cloneJson(valid);
      parentOf(copy, path)[path.at(-1)!] = v;
      return { value: copy, mutation: `${where} = ${preview(v)}` };
    };
    return fc.oneof(
      { arbitrary: nearMiss(old, limits).map(set), weight: 4 },
      { arbitrary: hostileJson(limits, 2).map(set), weight: 3 },
      {
        arbitrary: fc.constant(null).map((): Mutant => {
          const copy = cloneJson(valid);
          const parent = parentOf(copy, path);
          if (Array.isArray(parent)) parent.splice(path.at(-1) as number, 1);
          else delete parent[path.at(-1)!];
          return { value: copy, mutation: `deleted ${where}` };
        }),
        weight: 2,
      },
      {
        arbitrary: fc.tuple(hostileKey(limits), hostileJson(limits, 1)).map(([k, v]): Mutant => {
          const copy = cloneJson(valid);
          const parent = parentOf(copy, path);
          const target = old && typeof old === 'object' && !Array.isArray(old) ? (parent[path.at(-1)!] as Record<string, unknown>) : null;
          if (target) Object.defineProperty(target, k, { value: v, enumerable: true, writable: true, configurable: true });
          else if (!Array.isArray(parent)) Object.defineProperty(parent, k, { value: v, enumerable: true, writable: true, configurable: true });
          return { value: copy, mutation: `extra key ${JSON.stringify(k)} = ${preview(v)} near ${where}` };
        }),
        weight: 1,
      },
    );
  });
}

/** One to three mutations on top of each other. */
export function mutationsOf(valid: unknown, limits: TextLimits = ALL_TEXT): fc.Arbitrary<Mutant> {
  return fc.integer({ min: 1, max: 3 }).chain((n) => {
    let arb: fc.Arbitrary<Mutant> = mutationOf(valid, limits);
    for (let k = 1; k < n; k++) {
      arb = arb.chain((m) => mutationOf(m.value, limits).map((next) => ({ value: next.value, mutation: `${m.mutation}; ${next.mutation}` })));
    }
    return arb;
  });
}

/** A short, safe rendering of a value for messages. */
export function preview(v: unknown, max = 80): string {
  let s: string;
  try {
    s = JSON.stringify(v) ?? String(v);
  } catch {
    s = String(v);
  }
  return s.length > max ? `${s.slice(0, max)}… (${s.length} chars)` : s;
}

// ── HTTP-level noise ──

/** Bodies that are not what the endpoint wants, as raw text: not JSON, truncated, padded, nested, scalar. */
export function hostileBodyText(validJson: string, limits: TextLimits = ALL_TEXT): fc.Arbitrary<string> {
  return fc.oneof(
    fc.constantFrom(
      '',
      ' ',
      'undefined',
      'null',
      '"a string"',
      '0',
      'true',
      '[]',
      '{}',
      "{'v':1}",
      '{"v":1,}',
      '[1,2',
      ")]}'\n{}",
      '{"v":1e999}',
      '{"v":-0}',
      '{"v":1,"v":2}',
      '{"__proto__":{"polluted":true},"v":1}',
      '{"constructor":{"prototype":{"polluted":true}}}',
      '\uFEFF{}',
      'v=1&code=123456',
      '--x\r\nContent-Disposition: form-data; name="v"\r\n\r\n1\r\n--x--',
      '\u0000\u0001\u0002',
    ),
    fc.nat({ max: Math.max(0, validJson.length - 1) }).map((n) => validJson.slice(0, n)),
    fc.constantFrom('x', ',', '}', ']', '\u0000', ' garbage').map((g) => validJson + g),
    fc.integer({ min: 1000, max: 200_000 }).map((d) => '['.repeat(d) + ']'.repeat(d)),
    fc.integer({ min: 1000, max: 100_000 }).map((d) => '{"a":'.repeat(d) + '1' + '}'.repeat(d)),
    fc.string({ unit: 'binary', maxLength: 200 }).map((s) => cleanText(s, limits)),
  );
}

/** Content types a client could send, most of them wrong for a JSON API. */
export const CONTENT_TYPES = [
  'application/json',
  'application/json; charset=utf-8',
  'text/plain',
  'text/html',
  'application/x-www-form-urlencoded',
  'multipart/form-data; boundary=x',
  'application/octet-stream',
  'application/vnd.api+json',
  'application/json; charset=utf-16',
  'application/json; charset=latin1',
  'application/json; charset=nonsense',
  'application/json, text/plain',
  'json',
  '*/*',
] as const;

export function hostileContentType(): fc.Arbitrary<string | undefined> {
  return fc.oneof({ arbitrary: fc.constantFrom<string | undefined>(...CONTENT_TYPES, undefined), weight: 5 }, { arbitrary: latin1Header(), weight: 1 });
}

/** Header values Node's client lets through (tab, printable ASCII, latin-1), so the server, not the client, judges them. */
export function latin1Header(maxLength = 200): fc.Arbitrary<string> {
  const char = fc.oneof(fc.integer({ min: 0x20, max: 0x7e }), fc.integer({ min: 0xa0, max: 0xff }), fc.constant(0x09)).map((c) => String.fromCharCode(c));
  return fc.string({ unit: char, maxLength }).map((s) => s.trim());
}

/** Authorization headers around a valid secret: missing, mangled, another scheme, a near miss, the other role's. */
export function hostileAuth(valid: string, others: readonly string[] = []): fc.Arbitrary<string | undefined> {
  return fc.oneof(
    fc.constantFrom<string | undefined>(
      undefined,
      '',
      'Bearer',
      'Bearer ',
      `Basic ${Buffer.from(`admin:${valid}`).toString('base64')}`,
      valid,
      `Bearer ${valid.slice(0, -1)}`,
      `Bearer ${valid}x`,
      `Bearer ${valid.toUpperCase() === valid ? valid.toLowerCase() : valid.toUpperCase()}`,
      `Bearer ${valid} ${valid}`,
      `Bearer\t${valid.slice(1)}`,
      `Token ${valid}`,
      `Bearer ${'a'.repeat(4000)}`,
      ...others.map((o) => `Bearer ${o}`),
    ),
    latin1Header().map((s) => `Bearer ${s}`),
    latin1Header(),
  );
}

/** One path segment, as it goes on the wire: traversal, encoded separators, NUL, broken escapes, anything encoded. */
export function hostileSegment(limits: TextLimits = ALL_TEXT): fc.Arbitrary<string> {
  return fc.oneof(
    fc.constantFrom(
      '..',
      '.',
      '%2e%2e',
      '..%2f..%2f..%2fetc%2fpasswd',
      '%2e%2e%2f%2e%2e%2fkiosk-token',
      '..%5c..%5cwin.ini',
      '%2F',
      '%00',
      'demo-event%00',
      '%',
      '%E0%A4%A',
      '%ZZ',
      '%C0%AE%C0%AE',
      '%ED%A0%80',
      '..;',
      'a%20b',
      '*',
      '~',
      '%5B%5D',
      encodeURIComponent('__proto__'),
      'constructor',
    ),
    hostileString(limits).map((v) => encodeSegment(v.slice(0, URL_PART_MAX))),
  );
}

/**
 * The longest text a fuzzed URL part carries: Node's HTTP parser refuses a request line over 16 KB itself (431, no
 * body) before any of our code runs, which says nothing about our handlers.
 */
export const URL_PART_MAX = 600;

/** encodeURIComponent, except that an unpaired surrogate goes out as its raw (invalid UTF-8) bytes, as a sloppy client would. */
export function encodeSegment(s: string): string {
  try {
    return encodeURIComponent(s);
  } catch {
    return s.replace(/[\uD800-\uDFFF]/g, '%ED%A0%80').replace(/[^%A-Za-z0-9]/g, (c) => encodeURIComponent(c));
  }
}

/** A query string with repeated keys (arrays), bracket keys, pollution keys and hostile values. */
export function hostileQuery(names: readonly string[], limits: TextLimits = ALL_TEXT): fc.Arbitrary<string> {
  const key = fc.oneof(
    fc.constantFrom(...names),
    fc.constantFrom(...names).map((n) => `${n}[]`),
    fc.constantFrom(...names).map((n) => `${n}[__proto__]`),
    fc.constantFrom('__proto__', 'constructor', '__proto__[polluted]', 'constructor[prototype][polluted]'),
  );
  const value = fc.oneof(
    fc.constantFrom('', '-1', '0', '1.5', 'NaN', 'Infinity', '1e309', '99999999999999999999', '%00', '%', '[]', 'true'),
    hostileString(limits).map((v) => encodeSegment(v.slice(0, URL_PART_MAX))),
  );
  return fc
    .array(fc.tuple(key, value), { minLength: 1, maxLength: 6 })
    .map((pairs) => pairs.map(([k, v]) => `${encodeURIComponent(k).replace(/%5B/g, '[').replace(/%5D/g, ']')}=${v}`).join('&'));
}
