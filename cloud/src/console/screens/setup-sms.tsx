import type { JSX } from 'preact';
import { useRef, useState } from 'preact/hooks';
import { ApiError } from '../api.ts';
import { MAX_RECEIPT_TEMPLATE, receiptTemplateProblem, renderReceiptTemplate } from '../../services/console-setup-sms-template.ts';
import { Icon } from '../components/icons.tsx';
import { Card, Notice } from '../components/ui.tsx';
import { formatMoney } from '../format.ts';
import type { SetupTabProps } from './setup.tsx';

/*
 * The SMS receipt's wording, with a live preview rendered by the same function the receipt job uses
 * (services/console-setup-sms-template.ts), so what head office sees is what attendees get.
 */

const HINTS: Record<string, string> = {
  event: 'the event name',
  amount: 'what the sale added',
  first_name: "the attendee's first name",
  link: 'their tab page (required)',
};

/** SMS segments: 160 characters in the GSM alphabet (153 when split), 70 otherwise (67 when split). */
function segments(text: string): { count: number; unicode: boolean } {
  const unicode = /[^\n\r !"#$%&'()*+,\-./0-9:;<=>?@A-Z_a-z£¥èéùìòÇØøÅåΔΦΓΛΩΠΨΣΘΞÆæßÉÄÖÑÜ§¿äöñüà^{}\\[~\]|€]/.test(text);
  const [one, many] = unicode ? [70, 67] : [160, 153];
  return { count: text.length <= one ? 1 : Math.ceil(text.length / many), unicode };
}

/** A link as long as a real one (`/t/<band>.<event>.<mac>`, services/tab-links.ts), so the count is right. */
function sampleLink(eventId: string): string {
  const event = btoa(String.fromCharCode(...new TextEncoder().encode(eventId))).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
  return `${location.origin}/t/04A1B2C3D4E5F6.${event}.q3LxT0vY8mR2pK7wN4sZ1cH6fJ9bG5dA0eU3iO8lQ2x`;
}

export function SmsTab({ setup, canEdit, change }: SetupTabProps): JSX.Element {
  const [template, setTemplate] = useState(setup.sms.receiptTemplate);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const area = useRef<HTMLTextAreaElement>(null);
  const problem = receiptTemplateProblem(template);
  const dirty = template.trim() !== setup.sms.receiptTemplate;
  const sample = renderReceiptTemplate(template, {
    event: setup.event.name,
    amount: formatMoney(1100, setup.event.currency),
    first_name: 'Emma',
    link: sampleLink(setup.event.id),
  });
  // Every message ends with its reference (see services/sms-outbox.ts).
  const message = `${sample} Ref 7QX2K9PA`;
  const seg = segments(message);

  const insert = (name: string) => {
    const el = area.current;
    const token = `{${name}}`;
    if (!el) return setTemplate(template + token);
    const start = el.selectionStart ?? template.length;
    const end = el.selectionEnd ?? template.length;
    setTemplate(template.slice(0, start) + token + template.slice(end));
    requestAnimationFrame(() => {
      el.focus();
      el.setSelectionRange(start + token.length, start + token.length);
    });
  };

  const save = async (text: string, done: string) => {
    setBusy(true);
    setError(null);
    try {
      const r = await change('PUT', '/sms', { receiptTemplate: text }, done);
      setTemplate(r.sms.receiptTemplate);
    } catch (err) {
      setError(err instanceof ApiError ? err.message : 'Could not save the wording; try again.');
    } finally {
      setBusy(false);
    }
  };

  return (
    <div class="sms-layout">
      <Card title="Receipt after each sale">
        <p class="text-muted setup-card-intro">
          Attendees who agreed to texts get this after every sale on their band. Messages already queued keep the wording they were made with.
        </p>
        {error ? <Notice tone="error">{error}</Notice> : null}
        <label class="field">
          <span class="field-label">Wording</span>
          <textarea
            ref={area}
            name="receipt-template"
            rows={5}
            maxLength={MAX_RECEIPT_TEMPLATE + 200}
            disabled={!canEdit}
            value={template}
            onInput={(e) => setTemplate(e.currentTarget.value)}
          />
          <span class={`field-hint${problem ? ' field-error' : ''}`}>
            {problem ?? `${template.trim().length} of ${MAX_RECEIPT_TEMPLATE} characters`}
          </span>
        </label>
        <div class="placeholder-list">
          <span class="field-label">Placeholders</span>
          {setup.sms.placeholders.map((p) => (
            <button key={p} type="button" class="placeholder-chip" disabled={!canEdit} onClick={() => insert(p)} title={`Insert {${p}}`}>
              <code>{`{${p}}`}</code>
              <span class="text-muted small">{HINTS[p] ?? ''}</span>
            </button>
          ))}
        </div>
        {canEdit ? (
          <div class="setup-actions setup-actions-inline">
            <button
              type="button"
              class="button button-secondary"
              disabled={busy || (setup.sms.isDefault && !dirty)}
              onClick={() => void save(setup.sms.defaultTemplate, 'The default wording is back.')}
            >
              Use the default
            </button>
            <button type="button" class="button button-primary" disabled={busy || !dirty || Boolean(problem)} onClick={() => void save(template, 'Wording saved. The next receipts use it.')}>
              {busy ? 'Saving…' : 'Save wording'}
            </button>
          </div>
        ) : null}
      </Card>
      <Card title="Preview" class="sms-preview-card">
        <div class="phone" aria-label="Preview of the SMS">
          <div class="phone-top">
            <span class="phone-avatar">
              <Icon name="message" size={16} />
            </span>
            <span class="strong">{setup.event.name}</span>
          </div>
          <div class="phone-body">
            <div class="sms-bubble" data-testid="sms-preview">
              {message}
            </div>
            <div class="sms-meta">Now · for an order of {formatMoney(1100, setup.event.currency)} by Emma</div>
          </div>
        </div>
        <p class="text-muted small sms-count">
          {message.length} characters · {seg.count} SMS{seg.count === 1 ? '' : ' segments'}
          {seg.unicode ? ' (special characters shorten each segment)' : ''}
          {setup.sms.isDefault && !dirty ? ' · default wording' : ''}
        </p>
      </Card>
    </div>
  );
}
