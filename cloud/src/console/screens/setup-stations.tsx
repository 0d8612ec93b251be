import type { JSX } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { ApiError } from '../api.ts';
import type { SetupProduct, SetupStation, StationMode } from '../api-types.ts';
import { Icon } from '../components/icons.tsx';
import { Badge, Card, EmptyState, Notice } from '../components/ui.tsx';
import { formatMoney } from '../format.ts';
import type { SetupTabProps } from './setup.tsx';
import { Field } from './setup-parts.tsx';

/* Stations (a bar or a registration desk) and each bar's menu: which products, in the order the kiosk shows them. */

interface Draft {
  id: string | null;
  name: string;
  mode: StationMode;
  productIds: string[];
}

const MODE_TEXT: Record<StationMode, string> = { bar: 'Bar', registration: 'Registration desk' };

function draftOf(s: SetupStation | null): Draft {
  return s ? { id: s.id, name: s.name, mode: s.mode, productIds: [...s.productIds] } : { id: null, name: '', mode: 'bar', productIds: [] };
}

function move<T>(list: T[], from: number, to: number): T[] {
  const next = [...list];
  const [item] = next.splice(from, 1);
  next.splice(to, 0, item!);
  return next;
}

function MenuEditor(props: { draft: Draft; set: (d: Partial<Draft>) => void; products: SetupProduct[]; currency: string; canEdit: boolean }): JSX.Element {
  const { draft, set, products, currency, canEdit } = props;
  const byId = new Map(products.map((p) => [p.id, p]));
  const onMenu = draft.productIds.map((id) => byId.get(id)).filter((p): p is SetupProduct => Boolean(p));
  const offMenu = products.filter((p) => !draft.productIds.includes(p.id));
  const categories = [...new Set(offMenu.map((p) => p.category))];
  return (
    <div class="menu-editor">
      <div class="menu-column">
        <div class="menu-column-title">
          On the menu <span class="text-muted">· {onMenu.length}</span>
        </div>
        {onMenu.length === 0 ? (
          <div class="menu-empty">Nothing on this menu yet. {canEdit ? 'Add products from the list on the right.' : ''}</div>
        ) : (
          <ol class="menu-list" aria-label="Menu">
            {onMenu.map((p, i) => (
              <li key={p.id} class="menu-row">
                <span class="menu-pos num">{i + 1}</span>
                <span class="menu-name">
                  <span class={p.active ? '' : 'text-muted'}>{p.name}</span>
                  {!p.active ? <Badge>Off sale</Badge> : null}
                </span>
                <span class="menu-price num">{formatMoney(p.price, currency)}</span>
                {canEdit ? (
                  <span class="menu-tools">
                    <button type="button" class="icon-button" aria-label={`Move ${p.name} up`} disabled={i === 0} onClick={() => set({ productIds: move(draft.productIds, draft.productIds.indexOf(p.id), draft.productIds.indexOf(p.id) - 1) })}>
                      <Icon name="arrowUp" size={15} />
                    </button>
                    <button
                      type="button"
                      class="icon-button"
                      aria-label={`Move ${p.name} down`}
                      disabled={i === onMenu.length - 1}
                      onClick={() => set({ productIds: move(draft.productIds, draft.productIds.indexOf(p.id), draft.productIds.indexOf(p.id) + 1) })}
                    >
                      <Icon name="arrowDown" size={15} />
                    </button>
                    <button type="button" class="icon-button danger" aria-label={`Remove ${p.name} from the menu`} onClick={() => set({ productIds: draft.productIds.filter((id) => id !== p.id) })}>
                      <Icon name="close" size={15} />
                    </button>
                  </span>
                ) : null}
              </li>
            ))}
          </ol>
        )}
      </div>
      {canEdit ? (
        <div class="menu-column menu-column-pick">
          <div class="menu-column-title">Add to the menu</div>
          {offMenu.length === 0 ? (
            <div class="menu-empty">{products.length === 0 ? 'Add products in the Products tab first.' : 'Every product is on this menu.'}</div>
          ) : (
            categories.map((c) => (
              <div key={c} class="menu-pick-group">
                <div class="menu-pick-category">{c}</div>
                {offMenu
                  .filter((p) => p.category === c)
                  .map((p) => (
                    <button key={p.id} type="button" class="menu-pick" aria-label={`Add ${p.name}`} onClick={() => set({ productIds: [...draft.productIds, p.id] })}>
                      <Icon name="plus" size={14} />
                      <span class="menu-name">{p.name}</span>
                      <span class="menu-price num text-muted">{formatMoney(p.price, currency)}</span>
                    </button>
                  ))}
              </div>
            ))
          )}
        </div>
      ) : null}
    </div>
  );
}

export function StationsTab({ setup, canEdit, change }: SetupTabProps): JSX.Element {
  const [selected, setSelected] = useState<string | null>(setup.stations[0]?.id ?? null);
  const station = setup.stations.find((s) => s.id === selected) ?? null;
  const [draft, setDraft] = useState<Draft>(draftOf(station));
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  // A fresh answer from the server (or another station picked) resets the editor.
  useEffect(() => setDraft(draftOf(station)), [station, selected]);
  const set = (d: Partial<Draft>) => setDraft({ ...draft, ...d });
  const dirty = JSON.stringify(draft) !== JSON.stringify(draftOf(station));
  const isNew = draft.id === null && selected === null;

  const save = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const body = { name: draft.name, mode: draft.mode, productIds: draft.mode === 'bar' ? draft.productIds : [] };
      if (draft.id) await change('PUT', `/stations/${encodeURIComponent(draft.id)}`, body, `${draft.name} saved. Its kiosks show the new menu after the hub's next pull.`);
      else {
        const before = new Set(setup.stations.map((s) => s.id));
        const r = await change('POST', '/stations', body, `${draft.name} added. Pair a terminal at the hub and pick this station on it.`);
        // Select the station just made: the one id that was not there before.
        setSelected(r.stations.find((s) => !before.has(s.id))?.id ?? null);
      }
    } catch (err) {
      setError(err instanceof ApiError ? err.message : 'Could not save the station; try again.');
    } finally {
      setBusy(false);
    }
  };

  return (
    <div class="stations-layout">
      <Card
        flush
        class="stations-list-card"
        title={`Stations · ${setup.stations.length}`}
        actions={
          canEdit ? (
            <button
              type="button"
              class="button button-secondary button-small"
              onClick={() => {
                setSelected(null);
                setDraft(draftOf(null));
              }}
            >
              <Icon name="plus" size={14} /> Add station
            </button>
          ) : null
        }
      >
        {setup.stations.length === 0 ? (
          <EmptyState icon="setup" title="No stations yet">
            A station is a bar or a registration desk; each terminal works as one.
          </EmptyState>
        ) : (
          <ul class="stations-list" aria-label="Stations">
            {setup.stations.map((s) => (
              <li key={s.id}>
                <button
                  type="button"
                  class={`station-item${s.id === selected ? ' active' : ''}`}
                  aria-current={s.id === selected ? 'true' : undefined}
                  onClick={() => {
                    // Both at once: the editor never shows one station's menu under another's name.
                    setSelected(s.id);
                    setDraft(draftOf(s));
                  }}
                >
                  <span class="station-icon">
                    <Icon name={s.mode === 'bar' ? 'bar' : 'attendees'} size={16} />
                  </span>
                  <span class="cell-stack">
                    <span class="strong">{s.name}</span>
                    <span class="text-muted small">{s.mode === 'bar' ? `${s.productIds.length} products` : 'Registration desk'}</span>
                  </span>
                </button>
              </li>
            ))}
          </ul>
        )}
      </Card>
      <form onSubmit={save} class="station-editor">
        {error ? <Notice tone="error">{error}</Notice> : null}
        {station || isNew ? (
          <Card title={isNew ? 'New station' : draft.name || station?.name}>
            <div class="setup-form-grid">
              <Field label="Station name">
                <input name="station-name" value={draft.name} disabled={!canEdit} onInput={(e) => set({ name: e.currentTarget.value })} />
              </Field>
              {/* Not a <label>: a click on its text would press the first segment. */}
              <div class="field">
                <span class="field-label">Kind</span>
                <span class="segmented" role="radiogroup" aria-label="Kind">
                  {(Object.keys(MODE_TEXT) as StationMode[]).map((m) => (
                    <button key={m} type="button" role="radio" aria-checked={draft.mode === m} class={`segment${draft.mode === m ? ' active' : ''}`} disabled={!canEdit} onClick={() => set({ mode: m })}>
                      {MODE_TEXT[m]}
                    </button>
                  ))}
                </span>
              </div>
            </div>
            {draft.mode === 'bar' ? (
              <MenuEditor draft={draft} set={set} products={setup.products} currency={setup.event.currency} canEdit={canEdit} />
            ) : (
              <p class="text-muted setup-card-intro">A registration desk pairs wristbands with attendees and sells nothing, so it has no menu.</p>
            )}
            {canEdit ? (
              <div class="setup-actions setup-actions-inline">
                <button type="button" class="button button-secondary" disabled={!dirty || busy} onClick={() => setDraft(draftOf(station))}>
                  Discard changes
                </button>
                <button type="submit" class="button button-primary" disabled={(!dirty && !isNew) || busy || !draft.name.trim()}>
                  {busy ? 'Saving…' : isNew ? 'Add station' : 'Save station'}
                </button>
              </div>
            ) : null}
          </Card>
        ) : (
          <Card>
            <EmptyState icon="setup" title="Pick a station">
              Its menu shows here.
            </EmptyState>
          </Card>
        )}
      </form>
    </div>
  );
}
