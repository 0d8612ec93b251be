import { readFileSync } from 'node:fs';
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import { CONTRACT_FILES } from '../local-stripe/contracts.ts';

/*
 * Checks requests to the local Twilio against Twilio's own OpenAPI description (twilio_api_v2010.json): the form body
 * of "create a Message" against its CreateMessageRequest schema, and the list's query against its parameters. Forms
 * arrive as strings, so each value is first turned into the type the schema names (Attempt an integer,
 * SmartEncoded a boolean, MediaUrl an array). Unknown parameters are refused, which real Twilio does not do: a
 * misspelt parameter is a bug in the caller, and a test is the place to find it.
 */

type Schema = { [key: string]: unknown };

export const MESSAGES_PATH = '/2010-04-01/Accounts/{AccountSid}/Messages.json';
export const MESSAGE_PATH = '/2010-04-01/Accounts/{AccountSid}/Messages/{Sid}.json';
const FORM = 'application/x-www-form-urlencoded';

export interface TwilioError {
  code: number;
  message: string;
  more_info: string;
  status: number;
}

export const twilioError = (status: number, code: number, message: string): TwilioError => ({
  code,
  message,
  more_info: `https://www.twilio.com/docs/errors/${code}`,
  status,
});

let spec: Schema | null = null;
let ajv: Ajv | null = null;
const compiled = new Map<string, ValidateFunction>();

function load(): { spec: Schema; ajv: Ajv } {
  if (!spec || !ajv) {
    spec = JSON.parse(readFileSync(CONTRACT_FILES.twilioSpec, 'utf8')) as Schema;
    // Not strict: OpenAPI keywords (nullable, x-twilio) and Twilio's own formats (phone-number, date-time-rfc-2822).
    ajv = new Ajv({ strict: false, validateSchema: false, validateFormats: false, allErrors: true });
    ajv.addSchema(spec, 'twilio.json');
  }
  return { spec, ajv };
}

function operation(path: string, method: 'get' | 'post'): Schema {
  const op = ((load().spec.paths as Schema)[path] as Schema | undefined)?.[method] as Schema | undefined;
  if (!op) throw new Error(`twilio_api_v2010.json has no ${method.toUpperCase()} ${path}`);
  return op;
}

function deref(schema: unknown): Schema | undefined {
  let s = schema as Schema | undefined;
  for (let i = 0; s && typeof s.$ref === 'string' && i < 16; i++) {
    let node: unknown = load().spec;
    for (const part of (s.$ref as string).replace(/^#\//, '').split('/')) node = (node as Schema)[part.replace(/~1/g, '/').replace(/~0/g, '~')];
    s = node as Schema;
  }
  return s;
}

/** The JSON Schema of the create form, closed to unknown parameters. */
function createSchema(): Schema {
  const op = operation(MESSAGES_PATH, 'post');
  const schema = (((op.requestBody as Schema).content as Schema)[FORM] as Schema).schema as Schema;
  return { ...schema, additionalProperties: false };
}

/** The list's query parameters as one closed object schema. */
function listSchema(): Schema {
  const params = ((operation(MESSAGES_PATH, 'get').parameters as Schema[]) ?? []).filter((p) => p.in === 'query');
  return {
    type: 'object',
    properties: Object.fromEntries(params.map((p) => [p.name as string, p.schema])),
    required: params.filter((p) => p.required).map((p) => p.name),
    additionalProperties: false,
  };
}

function validator(key: 'create' | 'list'): { validate: ValidateFunction; schema: Schema } {
  const schema = key === 'create' ? createSchema() : listSchema();
  let v = compiled.get(key);
  if (!v) {
    // The spec's `#/components/…` references resolve against the compiled root, so it carries the components.
    v = load().ajv.compile({ ...schema, components: load().spec.components });
    compiled.set(key, v);
  }
  return { validate: v, schema };
}

/** Compiles both validators now, so the first request is not the slow one. */
export function prepareValidators(): void {
  validator('create');
  validator('list');
}

/** Form pairs into an object, typed as the schema says; repeated keys become arrays where the schema has an array. */
function coerce(schema: Schema, pairs: Array<[string, string]>): Record<string, unknown> {
  const props = (schema.properties ?? {}) as Schema;
  const out: Record<string, unknown> = {};
  for (const [k, raw] of pairs) {
    const s = deref(props[k]);
    let value: unknown = raw;
    if (s?.type === 'integer' && /^-?\d+$/.test(raw)) value = Number(raw);
    else if (s?.type === 'number' && raw.trim() !== '' && Number.isFinite(Number(raw))) value = Number(raw);
    else if (s?.type === 'boolean' && (raw === 'true' || raw === 'false')) value = raw === 'true';
    if (s?.type === 'array') out[k] = [...((out[k] as unknown[] | undefined) ?? []), value];
    else out[k] = value;
  }
  return out;
}

function describe(errors: ErrorObject[]): string {
  const e = errors.find((x) => x.keyword === 'additionalProperties') ?? errors.find((x) => x.keyword === 'required') ?? errors[0];
  if (!e) return 'Invalid request.';
  if (e.keyword === 'additionalProperties') return `Unknown parameter: ${(e.params as { additionalProperty: string }).additionalProperty}.`;
  if (e.keyword === 'required') return `Missing required parameter ${(e.params as { missingProperty: string }).missingProperty} in the post body.`;
  return `Invalid parameter ${e.instancePath.slice(1) || 'body'}: ${e.message ?? 'does not match the API'}.`;
}

export type Checked = { ok: true; params: Record<string, unknown> } | { ok: false; error: TwilioError };

/** A create-Message form against the spec, then Twilio's own rules the spec cannot say (sender, body, number). */
export function checkCreate(pairs: Array<[string, string]>): Checked {
  const { validate, schema } = validator('create');
  const params = coerce(schema, pairs);
  if (!validate(params)) return { ok: false, error: twilioError(400, 21601, describe(validate.errors ?? [])) };
  const p = params as Record<string, string | string[] | undefined>;
  if (!p.From && !p.MessagingServiceSid) return { ok: false, error: twilioError(400, 21603, "A 'From' phone number is required.") };
  if (!p.Body && !p.MediaUrl && !p.ContentSid) return { ok: false, error: twilioError(400, 21602, 'Message body is required.') };
  if (typeof p.Body === 'string' && p.Body.length > 1600) {
    return { ok: false, error: twilioError(400, 21617, 'The concatenated message body exceeds the 1600 character limit.') };
  }
  if (!/^\+[1-9]\d{6,14}$/.test(String(p.To))) return { ok: false, error: twilioError(400, 21211, `Invalid 'To' Phone Number: ${String(p.To)}`) };
  return { ok: true, params };
}

/** The list's query against the spec. */
export function checkList(pairs: Array<[string, string]>): Checked {
  const { validate, schema } = validator('list');
  const params = coerce(schema, pairs);
  if (!validate(params)) return { ok: false, error: twilioError(400, 20001, describe(validate.errors ?? [])) };
  return { ok: true, params };
}

/** The spec's example message: every field a real answer has, for the local one to fill in. */
export function exampleMessage(): Record<string, unknown> {
  const op = operation(MESSAGES_PATH, 'post');
  const media = (((op.responses as Schema)['201'] as Schema).content as Schema)['application/json'] as Schema;
  return structuredClone(((media.examples as Schema).create as Schema).value as Record<string, unknown>);
}
