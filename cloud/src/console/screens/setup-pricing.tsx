import type { JSX } from 'preact';
import { useState } from 'preact/hooks';
import { ApiError } from '../api.ts';
import type { PromotionKind, SetupPromotion, SetupResponse, SetupTaxRule, TaxMode } from '../api-types.ts';
import { type Column, DataTable } from '../components/data-table.tsx';
import { Icon } from '../components/icons.tsx';
import { Badge, Card, Dialog, EmptyState, Notice } from '../components/ui.tsx';
import { formatDate, formatMoney } from '../format.ts';
import type { SetupTabProps } from './setup.tsx';
import { bpToPercent, Field, formatInZone, isoToZoned, MoneyInput, parseMajor, percentToBp, toMajor, zonedToIso } from './setup-parts.tsx';

/*
 * Taxes (one rate per product category, included in prices or added on top) and promotions. Both change how the
 * cloud prices tabs: every change recalculates the event's tabs. A promotion is never edited in place: saving new
 * terms ends it and starts the new one, so the list keeps a record of what ran.
 */

const TAX_MODE: Record<TaxMode, string> = { inclusive: 'Included in prices', exclusive: 'Added on top' };
const KIND_TEXT: Record<PromotionKind, string> = {
  category_percent: 'Percentage off a category',
  bogo: 'Buy one, get one free',
  first_drink_free: 'First drink free',
  fixed_off: 'Amount off an order',
};

function categoriesOf(setup: SetupResponse): string[] {
  return [...new Set(setup.products.map((p) => p.category))].sort();
}

/** Cancel and the submit button of a dialog's form (`form` is the form's id). */
function FormFooter(props: { form: string; onCancel: () => void; disabled: boolean; busy: boolean; label: string }): JSX.Element {
  return (
    <>
      <button type="button" class="button button-secondary" onClick={props.onCancel}>
        Cancel
      </button>
      <button type="submit" form={props.form} class="button button-primary" disabled={props.disabled}>
        {props.busy ? 'Saving…' : props.label}
      </button>
    </>
  );
}

/** The last column of a running tax or promotion, for those who may edit: change it, or end it. */
function actionsColumn<T extends { active: boolean }>(o: { edit: string; endLabel: (row: T) => string; onEdit: (row: T) => void; onEnd: (row: T) => void }): Column<T> {
  return {
    key: 'actions',
    header: <span class="visually-hidden">Actions</span>,
    align: 'right',
    width: '150px',
    render: (row) =>
      row.active ? (
        <span class="row-actions">
          <button type="button" class="button button-secondary button-small" onClick={() => o.onEdit(row)}>
            {o.edit}
          </button>
          <button type="button" class="icon-button danger" aria-label={o.endLabel(row)} title="End" onClick={() => o.onEnd(row)}>
            <Icon name="trash" size={16} />
          </button>
        </span>
      ) : null,
  };
}

/** A card with one table of taxes or promotions, and its add button for those who may edit. */
function ListCard<T extends { id: string }>(props: {
  title: string;
  add: string | null;
  onAdd: () => void;
  columns: Column<T>[];
  rows: T[];
  emptyTitle: string;
  emptyText: string;
}): JSX.Element {
  return (
    <Card
      flush
      title={props.title}
      actions={
        props.add ? (
          <button type="button" class="button button-primary button-small" onClick={props.onAdd}>
            <Icon name="plus" size={14} /> {props.add}
          </button>
        ) : null
      }
    >
      <DataTable
        label={props.title}
        columns={props.columns}
        rows={props.rows}
        rowKey={(r) => r.id}
        empty={
          <EmptyState icon="setup" title={props.emptyTitle}>
            {props.emptyText}
          </EmptyState>
        }
      />
    </Card>
  );
}

function TaxDialog(props: { rule: SetupTaxRule | null; setup: SetupResponse; change: SetupTabProps['change']; onClose: () => void }): JSX.Element {
  const categories = categoriesOf(props.setup);
  const [category, setCategory] = useState(props.rule?.category ?? categories[0] ?? '');
  const [rate, setRate] = useState(props.rule ? bpToPercent(props.rule.basisPoints) : '');
  const [mode, setMode] = useState<TaxMode>(props.rule?.mode ?? 'inclusive');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const submit = async (e: Event) => {
    e.preventDefault();
    const basisPoints = percentToBp(rate);
    if (basisPoints === null) return setError('Enter the rate as a percentage from 0 to 100, such as 21 or 5.5.');
    setBusy(true);
    setError(null);
    try {
      await props.change('POST', '/taxes', { category, basisPoints, mode }, `Tax for ${category} set to ${bpToPercent(basisPoints)} %. Tabs are being recalculated.`);
      props.onClose();
    } catch (err) {
      setError(err instanceof ApiError ? err.message : 'Could not set the tax; try again.');
    } finally {
      setBusy(false);
    }
  };
  return (
    <Dialog
      title={props.rule ? `Change the ${props.rule.category} tax` : 'Set a tax'}
      onClose={props.onClose}
      footer={<FormFooter form="tax-form" onCancel={props.onClose} disabled={busy || !category.trim() || !rate.trim()} busy={busy} label="Set tax" />}
    >
      {error ? <Notice tone="error">{error}</Notice> : null}
      <form id="tax-form" class="form" onSubmit={submit}>
        <div class="setup-form-grid">
          <Field label="Category" hint="A category can have one rate; setting it again replaces it.">
            <input name="tax-category" list="tax-categories" value={category} disabled={Boolean(props.rule)} onInput={(e) => setCategory(e.currentTarget.value)} />
            <datalist id="tax-categories">
              {categories.map((c) => (
                <option key={c} value={c} />
              ))}
            </datalist>
          </Field>
          <Field label="Rate (%)">
            <input name="rate" inputMode="decimal" value={rate} onInput={(e) => setRate(e.currentTarget.value)} />
          </Field>
        </div>
        <Field label="Prices">
          <select value={mode} onChange={(e) => setMode(e.currentTarget.value as TaxMode)}>
            {(Object.keys(TAX_MODE) as TaxMode[]).map((m) => (
              <option key={m} value={m}>
                {TAX_MODE[m]}
              </option>
            ))}
          </select>
        </Field>
      </form>
    </Dialog>
  );
}

/** "20 % off Beer, 17:00–19:00" style summary of a promotion. */
function describe(p: SetupPromotion, currency: string): string {
  switch (p.kind) {
    case 'category_percent':
      return `${bpToPercent(p.basisPoints ?? 0)} % off ${p.category}`;
    case 'bogo':
      return `Buy one, get one free: ${p.appliesTo?.category ?? p.appliesTo?.productId ?? 'any product'}`;
    case 'first_drink_free':
      return `First drink free per tab${p.category ? ` (${p.category})` : ''}`;
    case 'fixed_off':
      return `${formatMoney(p.amount ?? 0, p.currency ?? currency)} off${p.category ? ` ${p.category}` : ''}${p.minimum ? ` from ${formatMoney(p.minimum, p.currency ?? currency)}` : ''}`;
  }
}

function windowText(p: SetupPromotion, tz: string): string {
  if (!p.window) return 'Whole event';
  const from = formatInZone(p.window.from, tz);
  const to = formatInZone(p.window.to, tz);
  // "22 Nov 2026, 17:00–19:00" when it starts and ends on the same day.
  const [fromDay, fromTime] = from.split(', ');
  const [toDay, toTime] = to.split(', ');
  return fromDay === toDay ? `${fromDay}, ${fromTime}–${toTime}` : `${from} – ${to}`;
}

function PromotionDialog(props: { promotion: SetupPromotion | null; setup: SetupResponse; change: SetupTabProps['change']; onClose: () => void }): JSX.Element {
  const { setup } = props;
  const p = props.promotion;
  const tz = setup.event.timezone;
  const currency = setup.event.currency;
  const categories = categoriesOf(setup);
  const [kind, setKind] = useState<PromotionKind>(p?.kind ?? 'category_percent');
  const [name, setName] = useState(p?.name ?? '');
  const [category, setCategory] = useState(p?.category ?? p?.appliesTo?.category ?? categories[0] ?? '');
  const [percent, setPercent] = useState(p?.basisPoints ? bpToPercent(p.basisPoints) : '');
  const [amount, setAmount] = useState(p?.amount ? toMajor(p.amount, currency) : '');
  const [minimum, setMinimum] = useState(p?.minimum ? toMajor(p.minimum, currency) : '');
  const [timed, setTimed] = useState(p ? Boolean(p.window) : true);
  const [from, setFrom] = useState(p?.window ? isoToZoned(p.window.from, tz) : isoToZoned(setup.event.startsAt, tz));
  const [to, setTo] = useState(p?.window ? isoToZoned(p.window.to, tz) : isoToZoned(new Date(Date.parse(setup.event.startsAt) + 2 * 3_600_000).toISOString(), tz));
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const needsWindow = kind === 'category_percent';

  const bodyOf = (): Record<string, unknown> | string => {
    const body: Record<string, unknown> = { kind, name };
    if (needsWindow || timed) {
      const f = zonedToIso(from, tz);
      const t = zonedToIso(to, tz);
      if (!f || !t) return 'Enter when the promotion starts and ends.';
      body.window = { from: f, to: t };
    }
    if (kind === 'category_percent') {
      const bp = percentToBp(percent);
      if (bp === null || bp === 0) return 'Enter the discount as a percentage, such as 20.';
      Object.assign(body, { category, basisPoints: bp });
    } else if (kind === 'bogo') body.appliesTo = { category };
    else if (kind === 'first_drink_free') {
      if (category) body.category = category;
    } else {
      const a = parseMajor(amount, currency);
      const m = minimum.trim() ? parseMajor(minimum, currency) : 0;
      if (a === null || a === 0) return `Enter the amount off in ${currency}, such as 2.00.`;
      if (m === null) return `Enter the minimum order in ${currency}, or leave it empty.`;
      Object.assign(body, { amount: a, ...(m ? { minimum: m } : {}), ...(category ? { category } : {}) });
    }
    return body;
  };

  const submit = async (e: Event) => {
    e.preventDefault();
    const body = bodyOf();
    if (typeof body === 'string') return setError(body);
    setBusy(true);
    setError(null);
    try {
      if (p) await props.change('PUT', `/promotions/${encodeURIComponent(p.id)}`, body, `${name} saved. Tabs are being recalculated.`);
      else await props.change('POST', '/promotions', body, `${name} added. Tabs are being recalculated.`);
      props.onClose();
    } catch (err) {
      setError(err instanceof ApiError ? err.message : 'Could not save the promotion; try again.');
    } finally {
      setBusy(false);
    }
  };

  return (
    <Dialog
      title={p ? `Edit ${p.name}` : 'Add a promotion'}
      onClose={props.onClose}
      footer={<FormFooter form="promotion-form" onCancel={props.onClose} disabled={busy || !name.trim()} busy={busy} label={p ? 'Save promotion' : 'Add promotion'} />}
    >
      {error ? <Notice tone="error">{error}</Notice> : null}
      {p ? <Notice tone="info">Saving ends these terms and starts the new ones in their place; every tab of the event is recalculated with them.</Notice> : null}
      <form id="promotion-form" class="form" onSubmit={submit}>
        <div class="setup-form-grid">
          <Field label="Name" hint="Shown on the attendee's tab next to the discount.">
            <input name="promotion-name" autoFocus value={name} onInput={(e) => setName(e.currentTarget.value)} />
          </Field>
          <Field label="Kind">
            <select value={kind} onChange={(e) => setKind(e.currentTarget.value as PromotionKind)}>
              {(Object.keys(KIND_TEXT) as PromotionKind[]).map((k) => (
                <option key={k} value={k}>
                  {KIND_TEXT[k]}
                </option>
              ))}
            </select>
          </Field>
          <Field label={kind === 'category_percent' || kind === 'bogo' ? 'Category' : 'Category (optional)'}>
            <select value={category} onChange={(e) => setCategory(e.currentTarget.value)}>
              {kind === 'first_drink_free' || kind === 'fixed_off' ? <option value="">Any product</option> : null}
              {categories.map((c) => (
                <option key={c} value={c}>
                  {c}
                </option>
              ))}
            </select>
          </Field>
          {kind === 'category_percent' ? (
            <Field label="Discount (%)">
              <input name="percent" inputMode="decimal" value={percent} onInput={(e) => setPercent(e.currentTarget.value)} />
            </Field>
          ) : null}
          {kind === 'fixed_off' ? (
            <>
              <Field label="Amount off">
                <MoneyInput label="Amount off" currency={currency} value={amount} onInput={setAmount} />
              </Field>
              <Field label="Minimum order (optional)">
                <MoneyInput label="Minimum order" currency={currency} value={minimum} onInput={setMinimum} />
              </Field>
            </>
          ) : null}
        </div>
        {!needsWindow ? (
          <label class="checkbox-row">
            <input type="checkbox" checked={timed} onChange={(e) => setTimed(e.currentTarget.checked)} />
            <span>
              <strong>Only at certain times</strong>
              <span class="text-muted small">Otherwise it runs for the whole event.</span>
            </span>
          </label>
        ) : null}
        {needsWindow || timed ? (
          <div class="setup-form-grid">
            <Field label="From" hint={`Local time in ${tz}`}>
              <input type="datetime-local" value={from} onInput={(e) => setFrom(e.currentTarget.value)} />
            </Field>
            <Field label="Until" hint="Sales recorded before this time">
              <input type="datetime-local" value={to} onInput={(e) => setTo(e.currentTarget.value)} />
            </Field>
          </div>
        ) : null}
      </form>
    </Dialog>
  );
}

function EndDialog(props: { title: string; text: string; onClose: () => void; onEnd: () => Promise<void> }): JSX.Element {
  const [error, setError] = useState<string | null>(null);
  return (
    <Dialog
      title={props.title}
      onClose={props.onClose}
      footer={
        <>
          <button type="button" class="button button-secondary" onClick={props.onClose}>
            Cancel
          </button>
          <button
            type="button"
            class="button button-danger"
            onClick={() =>
              props.onEnd().then(props.onClose, (err: unknown) => setError(err instanceof ApiError ? err.message : 'That did not work; try again.'))
            }
          >
            End it
          </button>
        </>
      }
    >
      {error ? <Notice tone="error">{error}</Notice> : null}
      <p>{props.text}</p>
    </Dialog>
  );
}

export function TaxesAndPromotionsTab({ setup, canEdit, change }: SetupTabProps): JSX.Element {
  const [taxDialog, setTaxDialog] = useState<SetupTaxRule | 'new' | null>(null);
  const [promoDialog, setPromoDialog] = useState<SetupPromotion | 'new' | null>(null);
  const [ending, setEnding] = useState<{ kind: 'tax'; rule: SetupTaxRule } | { kind: 'promotion'; promotion: SetupPromotion } | null>(null);
  const currency = setup.event.currency;
  const tz = setup.event.timezone;
  // Running first (taxes by category), then ended, newest first.
  const taxes = [...setup.taxRules].sort(
    (a, b) => Number(b.active) - Number(a.active) || (a.active ? a.category.localeCompare(b.category) : (b.createdAt ?? '').localeCompare(a.createdAt ?? '')),
  );
  const promotions = [...setup.promotions].sort((a, b) => Number(b.active) - Number(a.active) || (b.createdAt ?? '').localeCompare(a.createdAt ?? ''));

  const status = (active: boolean, ended: string | null) =>
    active ? <Badge tone="success">Running</Badge> : <Badge title={ended ? `Ended ${formatDate(ended)}` : undefined}>Ended</Badge>;

  const taxColumns: Column<SetupTaxRule>[] = [
    { key: 'category', header: 'Category', render: (t) => <span class={t.active ? 'strong' : 'text-muted'}>{t.category}</span> },
    { key: 'rate', header: 'Rate', align: 'number', width: '90px', render: (t) => `${bpToPercent(t.basisPoints)} %` },
    { key: 'mode', header: 'Prices', width: '170px', render: (t) => <span class="text-muted">{TAX_MODE[t.mode]}</span> },
    { key: 'status', header: 'Status', width: '110px', render: (t) => status(t.active, t.deactivatedAt) },
    ...(canEdit
      ? [actionsColumn<SetupTaxRule>({ edit: 'Change', endLabel: (t) => `End the ${t.category} tax`, onEdit: setTaxDialog, onEnd: (t) => setEnding({ kind: 'tax', rule: t }) })]
      : []),
  ];

  const promoColumns: Column<SetupPromotion>[] = [
    {
      key: 'name',
      header: 'Promotion',
      render: (p) => (
        <span class="cell-stack">
          <span class={p.active ? 'strong' : 'text-muted'}>{p.name}</span>
          <span class="text-muted small">{describe(p, currency)}</span>
        </span>
      ),
    },
    { key: 'when', header: 'When', width: '300px', render: (p) => <span class="text-muted small">{windowText(p, tz)}</span> },
    { key: 'status', header: 'Status', width: '110px', render: (p) => status(p.active, p.deactivatedAt) },
    ...(canEdit
      ? [actionsColumn<SetupPromotion>({ edit: 'Edit', endLabel: (p) => `End ${p.name}`, onEdit: setPromoDialog, onEnd: (p) => setEnding({ kind: 'promotion', promotion: p }) })]
      : []),
  ];

  return (
    <>
      <ListCard
        title="Taxes"
        add={canEdit ? 'Set a tax' : null}
        onAdd={() => setTaxDialog('new')}
        columns={taxColumns}
        rows={taxes}
        emptyTitle="No taxes"
        emptyText="Tabs carry no tax until you set a rate for a product category."
      />
      <ListCard
        title="Promotions"
        add={canEdit ? 'Add promotion' : null}
        onAdd={() => setPromoDialog('new')}
        columns={promoColumns}
        rows={promotions}
        emptyTitle="No promotions"
        emptyText="Happy hours, buy-one-get-one and first-drink-free deals are applied to tabs by the cloud, whatever the terminal charged."
      />
      {taxDialog ? <TaxDialog rule={taxDialog === 'new' ? null : taxDialog} setup={setup} change={change} onClose={() => setTaxDialog(null)} /> : null}
      {promoDialog ? <PromotionDialog promotion={promoDialog === 'new' ? null : promoDialog} setup={setup} change={change} onClose={() => setPromoDialog(null)} /> : null}
      {ending?.kind === 'tax' ? (
        <EndDialog
          title={`End the ${ending.rule.category} tax?`}
          text={`${ending.rule.category} is then sold without tax. Every tab of the event is recalculated.`}
          onClose={() => setEnding(null)}
          onEnd={async () => void (await change('POST', `/taxes/${encodeURIComponent(ending.rule.id)}/end`, {}, `The ${ending.rule.category} tax ended.`))}
        />
      ) : null}
      {ending?.kind === 'promotion' ? (
        <EndDialog
          title={`End ${ending.promotion.name}?`}
          text="It stops counting on every tab of the event, including sales already made; tabs are recalculated."
          onClose={() => setEnding(null)}
          onEnd={async () => void (await change('POST', `/promotions/${encodeURIComponent(ending.promotion.id)}/end`, {}, `${ending.promotion.name} ended.`))}
        />
      ) : null}
    </>
  );
}
