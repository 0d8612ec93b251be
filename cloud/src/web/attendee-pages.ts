import type { CardCollection } from '../providers/payments.ts';
import { decimalAmount } from '../services/money-text.ts';
import { TEST_PAYMENT_METHODS } from '../services/card-setup.ts';
import type { PublicAttendee, PublicEvent } from '../services/registration-signup.ts';
import { html, type PageOptions, raw, type Raw } from './layout.ts';

/*
 * The attendee's three pages before the event: register (details), card (Stripe), confirmation (QR code). Pure
 * renderers: the router (attendee-pages-router.ts) loads the data and sends them with `sendPage`.
 */

export const ATTENDEE_CSS = `
.btn{text-align:center;line-height:1.3;padding-top:8px;padding-bottom:8px}
.eyebrow{font-size:13px;font-weight:700;letter-spacing:.06em;text-transform:uppercase;color:var(--accent);margin:0 0 4px}
.lead{margin:4px 0 20px;color:var(--muted)}
.steps{display:flex;gap:8px;margin:0 0 20px;padding:0;list-style:none}
.steps li{flex:1;font-size:13px;color:var(--muted);border-top:4px solid var(--line);padding-top:6px}
.steps li.done{border-color:var(--good);color:var(--good)}
.steps li.now{border-color:var(--accent);color:var(--text);font-weight:600}
.grid2{display:grid;grid-template-columns:1fr;gap:0 12px}
@media (min-width:480px){.grid2{grid-template-columns:1fr 1fr}}
.hint{font-size:14px;color:var(--muted);margin-top:4px}
.optional{font-weight:400;color:var(--muted)}
input[aria-invalid=true]{border-color:var(--bad);background:#fffafa}
.check{display:flex;gap:12px;align-items:flex-start;font-weight:400;padding:12px;border:1px solid var(--line);border-radius:10px;cursor:pointer;background:#fff}
.check input{width:22px;height:22px;margin:1px 0 0;flex:none;accent-color:var(--accent)}
.check strong{display:block}
.fineprint{font-size:13px;color:var(--muted);margin:12px 0 0;text-align:center}
.lock{display:inline-block;width:12px;height:12px;vertical-align:-1px;margin-right:4px}
.tiles{display:grid;gap:8px;margin:0 0 16px}
.tile{display:flex;align-items:center;gap:12px;padding:12px 14px;border:1px solid var(--line);border-radius:10px;font-weight:400;cursor:pointer;background:#fff}
.tile:has(input:checked){border-color:var(--accent);box-shadow:0 0 0 1px var(--accent);background:var(--accent-soft)}
.tile input{width:20px;height:20px;margin:0;accent-color:var(--accent)}
.tile .what{flex:1}
.tile .what strong{display:block}
.cardchip{width:40px;height:28px;border-radius:5px;flex:none;background:linear-gradient(135deg,#1a1f71,#3b5bdb);position:relative}
.cardchip.mc{background:linear-gradient(135deg,#222,#555)}
.cardchip.decl{background:linear-gradient(135deg,#8a1c12,#d9534f)}
.cardchip::after{content:"";position:absolute;left:6px;top:9px;width:10px;height:8px;border-radius:2px;background:#e8c66a}
.testmode{border:1px dashed var(--warn);background:var(--warn-soft);color:var(--warn);border-radius:8px;padding:10px 12px;margin:0 0 16px;font-size:14px}
.testmode strong{display:block}
.hero{text-align:center;padding:8px 0 4px}
.tick{width:56px;height:56px;border-radius:50%;background:var(--good-soft);display:inline-flex;align-items:center;justify-content:center;margin:0 0 12px}
.qr{display:block;width:232px;max-width:70vw;height:auto;margin:8px auto 12px;border-radius:8px}
.code{font:700 28px/1.2 ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;letter-spacing:.12em;text-align:center;margin:0}
.center{text-align:center}
.status{display:flex;align-items:center;justify-content:space-between;gap:12px}
.stack>*+*{margin-top:8px}
#payment-element{min-height:120px;margin:0 0 16px}
.spaced{margin-top:16px}
`;

/** "€20.00" in the event's currency, or "a small amount" when the event does not say. */
function allowance(event: PublicEvent): string {
  if (event.noCardAllowance === null) return 'a small amount';
  try {
    return new Intl.NumberFormat('en-GB', { style: 'currency', currency: event.currency }).format(Number(decimalAmount(event.noCardAllowance, event.currency)));
  } catch {
    return `${decimalAmount(event.noCardAllowance, event.currency)} ${event.currency}`;
  }
}

const STEP_NAMES = ['Your details', 'Card', 'Confirmation'] as const;

function steps(current: 1 | 2 | 3): Raw {
  return html`<ol class="steps" aria-label="Registration steps">${STEP_NAMES.map(
    (name, i) =>
      html`<li class="${i + 1 < current ? 'done' : i + 1 === current ? 'now' : ''}"${raw(i + 1 === current ? ' aria-current="step"' : '')}>${i + 1}. ${name}</li>`,
  )}</ol>`;
}

/** "Sat 12 Jul 2026, 18:00 – Sun 13 Jul 02:00" in the event's own time zone. */
export function eventWhen(event: PublicEvent): string {
  if (!event.startsAt) return '';
  const fmt = (iso: string, withYear: boolean) => {
    const options: Intl.DateTimeFormatOptions = { weekday: 'short', day: 'numeric', month: 'short', hour: '2-digit', minute: '2-digit', hour12: false };
    if (withYear) options.year = 'numeric';
    try {
      return new Intl.DateTimeFormat('en-GB', { ...options, timeZone: event.timezone }).format(new Date(iso));
    } catch {
      return new Intl.DateTimeFormat('en-GB', { ...options, timeZone: 'UTC' }).format(new Date(iso));
    }
  };
  return event.endsAt ? `${fmt(event.startsAt, true)} – ${fmt(event.endsAt, false)}` : fmt(event.startsAt, true);
}

const LOCK = raw(
  '<svg class="lock" viewBox="0 0 16 16" aria-hidden="true"><path fill="currentColor" d="M4 7V5a4 4 0 1 1 8 0v2h1v8H3V7h1zm2 0h4V5a2 2 0 1 0-4 0v2z"/></svg>',
);
const TICK = raw(
  '<svg width="28" height="28" viewBox="0 0 24 24" aria-hidden="true"><path fill="none" stroke="#1f7a4d" stroke-width="3" stroke-linecap="round" stroke-linejoin="round" d="M5 12.5l4.5 4.5L19 7.5"/></svg>',
);

const footer = html`<p class="fineprint">${LOCK}Cards are saved by Stripe. Tapline never sees your card number, only its last four digits.</p>`;

// ── 1. Register ──────────────────────────────────────────────────────────────────────────────────────────────────

export interface RegisterFormValues {
  firstName?: string;
  lastName?: string;
  email?: string;
  phone?: string;
  smsConsent?: boolean;
}

function field(
  name: keyof RegisterFormValues,
  label: string,
  type: 'text' | 'email' | 'tel',
  values: RegisterFormValues,
  errors: Record<string, string>,
  extra: { autocomplete: string; optional?: boolean; hint?: string; inputmode?: string },
): Raw {
  const error = errors[name];
  const id = `f-${name}`;
  const describedBy = [error ? `${id}-error` : '', extra.hint ? `${id}-hint` : ''].filter(Boolean).join(' ');
  return html`<div class="field">
  <label for="${id}">${label}${extra.optional ? html` <span class="optional">(optional)</span>` : ''}</label>
  <input id="${id}" name="${name}" type="${type}" value="${(values[name] as string | undefined) ?? ''}" autocomplete="${extra.autocomplete}"${raw(
    extra.inputmode ? ` inputmode="${extra.inputmode}"` : '',
  )}${raw(error ? ' aria-invalid="true"' : '')}${raw(describedBy ? ` aria-describedby="${describedBy}"` : '')}${raw(extra.optional ? '' : ' required')} maxlength="${
    type === 'email' ? 254 : 60
  }">
  ${extra.hint ? html`<div class="hint" id="${id}-hint">${extra.hint}</div>` : ''}
  ${error ? html`<div class="field-error" id="${id}-error">${error}</div>` : ''}
</div>`;
}

export function registerPage(input: { event: PublicEvent; formToken: string; values?: RegisterFormValues; errors?: Record<string, string> }): PageOptions {
  const values = input.values ?? {};
  const errors = input.errors ?? {};
  const count = Object.keys(errors).length;
  const when = eventWhen(input.event);
  return {
    title: `Register · ${input.event.name}`,
    css: ATTENDEE_CSS,
    body: html`
<p class="eyebrow">Pre-registration</p>
<h1>${input.event.name}</h1>
${when ? html`<p class="lead">${when}</p>` : ''}
${steps(1)}
${
  errors.form
    ? html`<div class="notice bad" role="alert">${errors.form}</div>`
    : count
      ? html`<div class="notice bad" role="alert">Please check ${count === 1 ? 'the field' : `the ${count} fields`} marked below.</div>`
      : ''
}
<form class="card" method="post" action="" novalidate>
  <input type="hidden" name="formToken" value="${input.formToken}">
  <div class="grid2">
    ${field('firstName', 'First name', 'text', values, errors, { autocomplete: 'given-name' })}
    ${field('lastName', 'Last name', 'text', values, errors, { autocomplete: 'family-name' })}
  </div>
  ${field('email', 'E-mail', 'email', values, errors, { autocomplete: 'email', hint: 'One registration per e-mail address.' })}
  ${field('phone', 'Mobile phone', 'tel', values, errors, {
    autocomplete: 'tel',
    optional: true,
    inputmode: 'tel',
    hint: 'With your country code, e.g. +31 6 1234 5678.',
  })}
  <div class="field">
    <label class="check"><input type="checkbox" name="smsConsent"${raw(values.smsConsent ? ' checked' : '')}>
      <span><strong>Text me my confirmation and receipts</strong><span class="hint">Your confirmation, and a receipt for each drink on your tab. No marketing.</span></span></label>
  </div>
  <button class="btn primary block" type="submit">Continue to add a card</button>
</form>
${footer}`,
  };
}

export function alreadyRegisteredPage(input: { event: PublicEvent; email: string }): PageOptions {
  return {
    title: `Already registered · ${input.event.name}`,
    css: ATTENDEE_CSS,
    body: html`
<p class="eyebrow">Pre-registration</p>
<h1>You're already registered</h1>
<p class="lead">${input.event.name}</p>
<div class="card stack">
  <p><strong>${input.email}</strong> is already registered for this event, so we did not register it again.</p>
  <p class="muted">Open the confirmation link we sent you to see your QR code or add a card. Lost it? The registration desk at the event can find you by name, e-mail or phone.</p>
</div>
<a class="btn block" href="register">Register someone else</a>`,
  };
}

export function messagePage(input: { title: string; heading: string; text: string; eyebrow?: string }): PageOptions {
  return {
    title: input.title,
    css: ATTENDEE_CSS,
    body: html`
${input.eyebrow ? html`<p class="eyebrow">${input.eyebrow}</p>` : ''}
<h1>${input.heading}</h1>
<div class="card"><p style="margin:0">${input.text}</p></div>`,
  };
}

// ── 2. Card ──────────────────────────────────────────────────────────────────────────────────────────────────────

export interface CardPageInput {
  event: PublicEvent;
  attendee: PublicAttendee;
  collection: CardCollection;
  /** `/card/<token>`. */
  cardPath: string;
  /** `/e/<event>/confirmation/<token>`. */
  confirmationPath: string;
  formToken: string;
  /** Stripe.js only. */
  clientSecret: string | null;
  returnUrl: string;
  /** CSP nonce of the page's one inline script (Stripe.js mode). */
  nonce: string;
  /** A sentence about the last try (declined card, provider down). */
  problem?: string | null;
  /** The attendee has a card on file and is saving another one. */
  replace?: boolean;
}

function cardStatusNotice(a: PublicAttendee, problem: string | null | undefined): Raw {
  if (problem) return html`<div class="notice bad" role="alert">${problem}</div>`;
  if (a.cardStatus === 'failed') {
    return html`<div class="notice bad" role="alert"><strong>Your card was not saved.</strong> ${a.cardError ?? 'It was declined.'} Please try another card.</div>`;
  }
  if (a.cardStatus === 'pending') return html`<div class="notice warn">Your bank is still checking your card. This page updates when it is done; you can also try again.</div>`;
  return html``;
}

function testCardForm(input: CardPageInput): Raw {
  return html`
<div class="testmode" role="note"><strong>Test mode: no real card can be entered here.</strong>
This is a demo or test server, so it offers Stripe's test cards instead of the real card form. Nothing is ever charged.</div>
<form method="post" action="${input.cardPath}/test-card" class="stack" data-test-cards>
  <input type="hidden" name="formToken" value="${input.formToken}">
  ${input.replace ? html`<input type="hidden" name="replace" value="1">` : ''}
  <fieldset style="border:0;padding:0;margin:0">
    <legend class="small muted" style="margin-bottom:8px">Choose a test card</legend>
    <div class="tiles">
      ${TEST_PAYMENT_METHODS.map(
        (pm, i) => html`<label class="tile"><input type="radio" name="paymentMethod" value="${pm.id}"${raw(i === 0 ? ' checked' : '')}>
        <span class="cardchip${pm.id.includes('mastercard') ? ' mc' : pm.outcome === 'declined' ? ' decl' : ''}" aria-hidden="true"></span>
        <span class="what"><strong>${pm.label}</strong><span class="small muted">${pm.outcome === 'saved' ? 'Saves successfully' : 'Declined by the bank (to try the retry)'}</span></span></label>`,
      )}
    </div>
  </fieldset>
  <button class="btn primary block" type="submit">Save test card</button>
</form>`;
}

function elementsForm(input: CardPageInput, publishableKey: string): Raw {
  const config = JSON.stringify({ key: publishableKey, clientSecret: input.clientSecret, returnUrl: input.returnUrl }).replace(/</g, '\\u003c');
  return html`
<form id="card-form" class="stack">
  <div id="payment-element"></div>
  <div id="card-error" class="field-error" role="alert"></div>
  <button id="card-submit" class="btn primary block" type="submit">Save card</button>
</form>
<script src="https://js.stripe.com/v3" nonce="${input.nonce}"></script>
<script nonce="${input.nonce}">
(function () {
  var c = ${raw(config)};
  var stripe = Stripe(c.key);
  var elements = stripe.elements({ clientSecret: c.clientSecret });
  elements.create('payment').mount('#payment-element');
  var form = document.getElementById('card-form'), button = document.getElementById('card-submit');
  form.addEventListener('submit', function (e) {
    e.preventDefault();
    button.disabled = true;
    stripe.confirmSetup({ elements: elements, confirmParams: { return_url: c.returnUrl } }).then(function (r) {
      if (r.error) { document.getElementById('card-error').textContent = r.error.message; button.disabled = false; }
    });
  });
})();
</script>`;
}

export function cardPage(input: CardPageInput): PageOptions {
  const a = input.attendee;
  let form: Raw;
  if (input.collection.kind === 'stripe-elements' && input.clientSecret) form = elementsForm(input, input.collection.publishableKey);
  else if (input.collection.kind === 'test-cards') form = testCardForm(input);
  else form = html`<div class="notice bad">Cards cannot be added online right now. You can add one at the registration desk.</div>`;
  return {
    title: `Add a card · ${input.event.name}`,
    css: ATTENDEE_CSS,
    csp:
      input.collection.kind === 'stripe-elements'
        ? {
            'script-src': `'nonce-${input.nonce}' https://js.stripe.com`,
            'frame-src': 'https://js.stripe.com https://hooks.stripe.com',
            'connect-src': 'https://api.stripe.com',
            'img-src': 'https://*.stripe.com',
          }
        : undefined,
    body: html`
<p class="eyebrow">${input.event.name}</p>
${
  input.replace
    ? html`<h1>Use a different card</h1>
<p class="lead">Hi ${a.firstName}, your card ending ${a.cardLast4 ?? '••••'} stays on file until the new one is saved.</p>`
    : html`<h1>Add your card</h1>
<p class="lead">Hi ${a.firstName}, save a card to pay for drinks with a tap of your wristband. Your tab is charged once, after the event.</p>`
}
${input.replace ? "" : steps(2)}
${input.replace && !input.problem ? '' : cardStatusNotice(a, input.problem)}
<section class="card">${form}</section>
<p class="center"><a class="small muted" href="${input.confirmationPath}">Skip for now and see your confirmation</a></p>
${footer}`,
  };
}

export function cardSavedPage(input: { event: PublicEvent; attendee: PublicAttendee; cardPath: string; confirmationPath: string }): PageOptions {
  return {
    title: `Card saved · ${input.event.name}`,
    css: ATTENDEE_CSS,
    body: html`
<p class="eyebrow">${input.event.name}</p>
<h1>Your card is saved</h1>
<p class="lead">Hi ${input.attendee.firstName}, you're all set to pay with your wristband.</p>
${steps(3)}
<div class="card status"><span>Card</span><span class="badge good">Ready · ending ${input.attendee.cardLast4 ?? '••••'}</span></div>
<a class="btn primary block" href="${input.confirmationPath}">See your confirmation</a>
<p class="center"><a class="small muted" href="${input.cardPath}?replace=1">Use a different card</a></p>
${footer}`,
  };
}

// ── 3. Confirmation ──────────────────────────────────────────────────────────────────────────────────────────────

/** `+31612345678` → `+31 •••• ••678`: enough to recognise, not to copy. */
export function maskPhone(phone: string): string {
  return `${phone.slice(0, 3)} ${'•'.repeat(Math.max(0, phone.length - 6))}${phone.slice(-3)}`;
}

export function confirmationPage(input: { event: PublicEvent; attendee: PublicAttendee; qrSvg: string | null; cardPath: string; smsSent: boolean }): PageOptions {
  const a = input.attendee;
  const code = a.confirmationCode;
  const name = [a.firstName, a.lastName].filter(Boolean).join(' ');
  const card =
    a.cardStatus === 'ready'
      ? html`<div class="status"><span>Card</span><span class="badge good">Ready · ending ${a.cardLast4 ?? '••••'}</span></div>
<p class="small" style="margin:8px 0 0"><a class="muted" href="${input.cardPath}?replace=1">Use a different card</a></p>`
      : a.cardStatus === 'failed'
        ? html`<div class="status"><span>Card</span><span class="badge bad">Declined</span></div>
<p class="small muted">${a.cardError ?? 'Your card was declined.'}</p>
<a class="btn primary block" href="${input.cardPath}">Try another card</a>`
        : a.cardStatus === 'pending'
          ? html`<div class="status"><span>Card</span><span class="badge warn">Being checked</span></div>`
          : html`<div class="status"><span>Card</span><span class="badge warn">Not added yet</span></div>
<p class="small muted">Without a card your wristband works only up to ${allowance(input.event)}. Add one now, or at the desk.</p>
<a class="btn primary block" href="${input.cardPath}">Add a card</a>`;
  return {
    title: `Your registration · ${input.event.name}`,
    css: ATTENDEE_CSS,
    body: html`
<div class="hero">
  <span class="tick">${TICK}</span>
  <h1>You're registered</h1>
  <p class="lead" style="margin-bottom:16px">${name} · ${input.event.name}${eventWhen(input.event) ? html`<br><span class="small">${eventWhen(input.event)}</span>` : ''}</p>
</div>
<section class="card center" aria-labelledby="qr-title">
  <h2 id="qr-title">Your check-in code</h2>
  ${
    code && input.qrSvg
      ? html`<img class="qr" alt="QR code of your confirmation code ${code}" src="data:image/svg+xml;base64,${Buffer.from(input.qrSvg).toString('base64')}">
  <p class="code" data-code="${code}">${code.slice(0, 4)} ${code.slice(4)}</p>`
      : html`<p class="muted">Your code is being prepared. Reload this page in a moment.</p>`
  }
  <p class="small muted" style="margin:8px 0 0">Show this at the registration desk to get your wristband.</p>
</section>
<section class="card">${card}</section>
${a.smsConsent && a.phone && input.smsSent ? html`<p class="fineprint">We've texted this page to ${maskPhone(a.phone)}.</p>` : ''}
<p class="fineprint no-print">Bookmark this page: it is your link to your registration and your card.</p>`,
  };
}
