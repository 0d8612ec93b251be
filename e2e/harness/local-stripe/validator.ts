import { readFileSync } from 'node:fs';
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import qs from 'qs';
import { CONTRACT_FILES } from './contracts.ts';

/*
 * Checks each request to the local Stripe against Stripe's own OpenAPI description of the operation, the way Stripe
 * itself answers: an unknown parameter is `parameter_unknown`, a missing one `parameter_missing`, a non-integer
 * `parameter_invalid_integer`, all 400 invalid_request_error. Form bodies use Stripe's bracket notation
 * (`metadata[tab]=…`, `payment_method_types[0]=card`); every value arrives as a string, so each is turned into the
 * type the schema asks for before the schema is applied.
 */

type Schema = { [key: string]: unknown };

export interface StripeParamError {
  type: 'invalid_request_error';
  code?: string;
  message: string;
  param?: string;
  [key: string]: unknown;
}

export type Checked = { ok: true; params: Record<string, unknown> } | { ok: false; error: StripeParamError };

const SPEC_KEY = 'stripe.json';
const FORM = 'application/x-www-form-urlencoded';

let spec: Schema | null = null;
let ajv: Ajv | null = null;
const compiled = new Map<string, ValidateFunction>();

function loadSpec(): { spec: Schema; ajv: Ajv } {
  if (!spec || !ajv) {
    spec = JSON.parse(readFileSync(CONTRACT_FILES.stripeSpec, 'utf8')) as Schema;
    closeRequestObjects(spec);
    // Not strict: the document is OpenAPI (x- keys, `nullable`), and formats such as unix-time are Stripe's own.
    ajv = new Ajv({ strict: false, validateSchema: false, validateFormats: false, allErrors: true });
    ajv.addSchema(spec, SPEC_KEY);
  }
  return { spec, ajv };
}

/**
 * The spec marks only the top level of a request body `additionalProperties: false`, but Stripe refuses unknown
 * nested parameters too (`Received unknown parameter: payment_method_options[card][foo]`). Close every object that
 * lists its properties and says nothing about others, in request bodies and query parameters only.
 */
function closeRequestObjects(doc: Schema): void {
  const close = (schema: unknown): void => {
    if (schema === null || typeof schema !== 'object') return;
    const s = schema as Schema;
    if (s.properties && typeof s.properties === 'object') {
      if (s.additionalProperties === undefined) s.additionalProperties = false;
      Object.values(s.properties as Schema).forEach(close);
    }
    if (typeof s.additionalProperties === 'object') close(s.additionalProperties);
    close(s.items);
    for (const k of ['anyOf', 'oneOf', 'allOf']) if (Array.isArray(s[k])) (s[k] as unknown[]).forEach(close);
  };
  for (const ops of Object.values(doc.paths as Schema)) {
    for (const op of Object.values(ops as Schema)) {
      if (op === null || typeof op !== 'object') continue;
      const content = ((op as Schema).requestBody as Schema | undefined)?.content as Schema | undefined;
      for (const media of Object.values(content ?? {})) close((media as Schema).schema);
      for (const param of ((op as Schema).parameters as Schema[] | undefined) ?? []) close(param.schema);
    }
  }
}

const pointerPart = (s: string) => s.replace(/~/g, '~0').replace(/\//g, '~1');

function resolvePointer(ref: string): Schema | undefined {
  const { spec } = loadSpec();
  const hash = ref.slice(ref.indexOf('#') + 1);
  let node: unknown = spec;
  for (const raw of hash.split('/').slice(1)) {
    const part = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    node = (node as Schema | undefined)?.[part];
  }
  return node as Schema | undefined;
}

function deref(schema: unknown): Schema | undefined {
  let s = schema as Schema | undefined;
  for (let i = 0; s && typeof s.$ref === 'string' && i < 32; i++) s = resolvePointer(s.$ref);
  return s;
}

function operation(method: string, template: string): Schema {
  const op = (loadSpec().spec.paths as Schema)[template] as Schema | undefined;
  const found = op?.[method.toLowerCase()] as Schema | undefined;
  if (!found) throw new Error(`stripe-openapi.json has no operation ${method} ${template}`);
  return found;
}

/** The JSON Schema of an operation's input: the form body for POST, the query parameters otherwise. */
function validatorFor(method: string, template: string): ValidateFunction {
  const key = `${method} ${template}`;
  let v = compiled.get(key);
  if (v) return v;
  const { ajv } = loadSpec();
  const base = `${SPEC_KEY}#/paths/${pointerPart(template)}/${method.toLowerCase()}`;
  const op = operation(method, template);
  if (method === 'POST') {
    const content = (op.requestBody as Schema | undefined)?.content as Schema | undefined;
    if (content?.[FORM]) {
      v = ajv.compile({ $ref: `${base}/requestBody/content/${pointerPart(FORM)}/schema` });
    } else {
      v = ajv.compile({ type: 'object', additionalProperties: false });
    }
  } else {
    const params = ((op.parameters as Schema[] | undefined) ?? []).map((p, i) => ({ p, i })).filter(({ p }) => p.in === 'query');
    v = ajv.compile({
      type: 'object',
      properties: Object.fromEntries(params.map(({ p, i }) => [p.name, { $ref: `${base}/parameters/${i}/schema` }])),
      required: params.filter(({ p }) => p.required).map(({ p }) => p.name),
      additionalProperties: false,
    });
  }
  compiled.set(key, v);
  return v;
}

/** Compiles the validators of these operations now, so the first request is not the slow one. */
export function prepareValidators(operations: Array<{ method: string; template: string }>): void {
  for (const { method, template } of operations) validatorFor(method, template);
}

/** Stripe's bracket notation into nested objects and arrays. */
export function decodeForm(text: string): Record<string, unknown> {
  return qs.parse(text, { depth: 20, arrayLimit: 1000, parameterLimit: 10_000, allowPrototypes: false }) as Record<string, unknown>;
}

const INTEGER = /^-?\d+$/;

function fits(schema: Schema, value: unknown): boolean {
  if (typeof value === 'string') {
    if (Array.isArray(schema.enum)) return schema.enum.includes(value);
    if (schema.type === 'integer') return INTEGER.test(value);
    if (schema.type === 'number') return value.trim() !== '' && Number.isFinite(Number(value));
    if (schema.type === 'boolean') return value === 'true' || value === 'false';
    return schema.type === 'string';
  }
  if (Array.isArray(value)) return schema.type === 'array';
  if (value !== null && typeof value === 'object') return schema.type === 'object';
  return false;
}

/** Turns the strings of a decoded form into the types the schema wants; leaves what does not fit for ajv to reject. */
export function coerce(schemaIn: unknown, value: unknown): unknown {
  const schema = deref(schemaIn);
  if (!schema) return value;
  if (Array.isArray(schema.anyOf)) {
    const branches = (schema.anyOf as unknown[]).map(deref).filter((b): b is Schema => !!b);
    // Typed branches first, so "true" becomes a boolean where a string would also be allowed.
    const ordered = [...branches.filter((b) => b.type !== 'string'), ...branches.filter((b) => b.type === 'string')];
    const branch = ordered.find((b) => fits(b, value));
    return branch ? coerce(branch, value) : value;
  }
  if (typeof value === 'string') {
    if (schema.type === 'integer' && INTEGER.test(value)) return Number(value);
    if (schema.type === 'number' && value.trim() !== '' && Number.isFinite(Number(value))) return Number(value);
    if (schema.type === 'boolean' && (value === 'true' || value === 'false')) return value === 'true';
    return value;
  }
  if (Array.isArray(value)) return schema.type === 'array' ? value.map((v) => coerce(schema.items, v)) : value;
  if (value !== null && typeof value === 'object' && schema.type === 'object') {
    const props = (schema.properties ?? {}) as Schema;
    const extra = typeof schema.additionalProperties === 'object' ? schema.additionalProperties : undefined;
    return Object.fromEntries(
      Object.entries(value as Schema).map(([k, v]) => {
        const s = Object.hasOwn(props, k) ? props[k] : extra;
        return [k, s ? coerce(s, v) : v];
      }),
    );
  }
  return value;
}

/** `/payment_method_options/card/foo` → `payment_method_options[card][foo]`, as Stripe names parameters. */
function bracket(pointer: string, extra?: string): string {
  const parts = pointer.split('/').slice(1).map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'));
  if (extra !== undefined) parts.push(extra);
  const [first = '', ...rest] = parts;
  return first + rest.map((p) => `[${p}]`).join('');
}

function valueAt(root: unknown, pointer: string): unknown {
  let node = root;
  for (const part of pointer.split('/').slice(1)) node = (node as Schema | undefined)?.[part.replace(/~1/g, '/').replace(/~0/g, '~')];
  return node;
}

/** One error as Stripe words it. ajv reports every anyOf branch; the most specific complaint is the one Stripe gives. */
export function toStripeError(errors: ErrorObject[], data: unknown): StripeParamError {
  const unknown = errors.find((e) => e.keyword === 'additionalProperties');
  if (unknown) {
    const param = bracket(unknown.instancePath, String((unknown.params as { additionalProperty: string }).additionalProperty));
    return { type: 'invalid_request_error', code: 'parameter_unknown', param, message: `Received unknown parameter: ${param}` };
  }
  const missing = errors.find((e) => e.keyword === 'required');
  if (missing) {
    const param = bracket(missing.instancePath, String((missing.params as { missingProperty: string }).missingProperty));
    return { type: 'invalid_request_error', code: 'parameter_missing', param, message: `Missing required param: ${param}.` };
  }
  const specific = errors.find((e) => e.keyword !== 'anyOf' && e.keyword !== 'oneOf') ?? errors[0];
  const param = bracket(specific?.instancePath ?? '');
  const got = valueAt(data, specific?.instancePath ?? '');
  if (specific?.keyword === 'type' && (specific.params as { type: string }).type === 'integer') {
    return { type: 'invalid_request_error', code: 'parameter_invalid_integer', param, message: `Invalid integer: ${String(got)}` };
  }
  if (specific?.keyword === 'type' && (specific.params as { type: string }).type === 'boolean') {
    return { type: 'invalid_request_error', param, message: `Invalid boolean: ${String(got)}` };
  }
  if (specific?.keyword === 'enum') {
    const allowed = (specific.params as { allowedValues: unknown[] }).allowedValues.map(String);
    return { type: 'invalid_request_error', param, message: `Invalid ${param}: must be one of ${allowed.join(', ')}` };
  }
  if (typeof got === 'string' && got === '' && specific?.keyword !== 'maxLength') {
    return {
      type: 'invalid_request_error',
      code: 'parameter_invalid_empty',
      param,
      message: `You passed an empty string for '${param}'. We assume empty values are an attempt to unset a parameter; however '${param}' cannot be unset. You should remove '${param}' from your request or supply a non-empty value.`,
    };
  }
  return { type: 'invalid_request_error', param, message: `Invalid ${param || 'request'}: ${specific?.message ?? 'does not match the API'}` };
}

/** Checks decoded input (form body or query) against the operation `method template` of Stripe's spec. */
export function checkRequest(method: string, template: string, decoded: Record<string, unknown>): Checked {
  const validate = validatorFor(method, template);
  const op = operation(method, template);
  const schema =
    method === 'POST'
      ? (((op.requestBody as Schema | undefined)?.content as Schema | undefined)?.[FORM] as Schema | undefined)?.schema
      : {
          type: 'object',
          properties: Object.fromEntries(
            ((op.parameters as Schema[] | undefined) ?? []).filter((p) => p.in === 'query').map((p) => [p.name, p.schema]),
          ),
        };
  const params = coerce(schema, decoded) as Record<string, unknown>;
  if (validate(params)) return { ok: true, params };
  return { ok: false, error: toStripeError(validate.errors ?? [], params) };
}

function templateRegex(template: string): RegExp {
  return new RegExp(`^${template.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\{[^}]+\}/g, '[^/]+')}$`);
}

/** The spec's path template for a concrete path and method (`/v1/payment_intents/pi_1/capture` → `…/{intent}/capture`). */
export function specOperationFor(method: string, path: string): string | null {
  const paths = loadSpec().spec.paths as Schema;
  for (const [template, ops] of Object.entries(paths)) {
    if ((ops as Schema)[method.toLowerCase()] && templateRegex(template).test(path)) return template;
  }
  return null;
}
