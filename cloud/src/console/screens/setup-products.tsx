import type { JSX } from 'preact';
import { useState } from 'preact/hooks';
import { ApiError } from '../api.ts';
import type { SetupProduct } from '../api-types.ts';
import { type Column, DataTable } from '../components/data-table.tsx';
import { Icon } from '../components/icons.tsx';
import { Badge, Card, Dialog, EmptyState, Notice } from '../components/ui.tsx';
import { formatMoney } from '../format.ts';
import type { SetupTabProps } from './setup.tsx';
import { Field, MoneyInput, parseMajor, toMajor } from './setup-parts.tsx';

/* Products: name, category (taxes and promotions go by it), price, and whether bars sell it. */

function ProductDialog(props: { product: SetupProduct | null; currency: string; categories: string[]; change: SetupTabProps['change']; onClose: () => void }): JSX.Element {
  const p = props.product;
  const [name, setName] = useState(p?.name ?? '');
  const [category, setCategory] = useState(p?.category ?? '');
  const [price, setPrice] = useState(p ? toMajor(p.price, props.currency) : '');
  const [active, setActive] = useState(p?.active ?? true);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const submit = async (e: Event) => {
    e.preventDefault();
    const minor = parseMajor(price, props.currency);
    if (minor === null) return setError(`Enter the price in ${props.currency}, such as 5.50.`);
    setBusy(true);
    setError(null);
    try {
      const body = { name, category, price: minor, active };
      if (p) await props.change('PUT', `/products/${encodeURIComponent(p.id)}`, body, `${name} saved. The hub gets it at its next pull.`);
      else await props.change('POST', '/products', body, `${name} added. Put it on a station's menu to sell it.`);
      props.onClose();
    } catch (err) {
      setError(err instanceof ApiError ? err.message : 'Could not save the product; try again.');
    } finally {
      setBusy(false);
    }
  };
  return (
    <Dialog
      title={p ? `Edit ${p.name}` : 'Add a product'}
      onClose={props.onClose}
      footer={
        <>
          <button type="button" class="button button-secondary" onClick={props.onClose}>
            Cancel
          </button>
          <button type="submit" form="product-form" class="button button-primary" disabled={busy || !name.trim() || !category.trim() || !price.trim()}>
            {busy ? 'Saving…' : p ? 'Save product' : 'Add product'}
          </button>
        </>
      }
    >
      {error ? <Notice tone="error">{error}</Notice> : null}
      <form id="product-form" class="form" onSubmit={submit}>
        <Field label="Name" hint="As bartenders see it on the kiosk and attendees on their receipt.">
          <input name="name" autoFocus value={name} onInput={(e) => setName(e.currentTarget.value)} />
        </Field>
        <div class="setup-form-grid">
          <Field label="Category" hint="Taxes and promotions apply by category.">
            <input name="category" list="product-categories" value={category} onInput={(e) => setCategory(e.currentTarget.value)} />
            <datalist id="product-categories">
              {props.categories.map((c) => (
                <option key={c} value={c} />
              ))}
            </datalist>
          </Field>
          <Field label="Price" hint="Including tax when the category's tax is included in prices.">
            <MoneyInput label="Price" name="price" currency={props.currency} value={price} onInput={setPrice} />
          </Field>
        </div>
        <label class="checkbox-row">
          <input type="checkbox" checked={active} onChange={(e) => setActive(e.currentTarget.checked)} />
          <span>
            <strong>On sale</strong>
            <span class="text-muted small">Off: hidden from every menu until turned on again. Past sales keep it.</span>
          </span>
        </label>
      </form>
    </Dialog>
  );
}

export function ProductsTab({ setup, canEdit, change }: SetupTabProps): JSX.Element {
  const [editing, setEditing] = useState<SetupProduct | 'new' | null>(null);
  const currency = setup.event.currency;
  const categories = [...new Set(setup.products.map((p) => p.category))].sort();
  const menus = (id: string) => setup.stations.filter((s) => s.productIds.includes(id)).map((s) => s.name);

  const columns: Column<SetupProduct>[] = [
    { key: 'name', header: 'Product', render: (p) => <span class={p.active ? 'strong' : 'text-muted'}>{p.name}</span> },
    { key: 'category', header: 'Category', width: '170px', render: (p) => <Badge>{p.category}</Badge> },
    {
      key: 'menus',
      header: 'On menus',
      width: '260px',
      render: (p) => {
        const m = menus(p.id);
        return m.length ? <span class="truncate text-muted" title={m.join(', ')}>{m.join(', ')}</span> : <span class="text-faint">Not on a menu</span>;
      },
    },
    { key: 'status', header: 'Status', width: '110px', render: (p) => (p.active ? <Badge tone="success">On sale</Badge> : <Badge>Off</Badge>) },
    { key: 'price', header: 'Price', align: 'number', width: '110px', render: (p) => <span class="strong">{formatMoney(p.price, currency)}</span> },
    ...(canEdit
      ? [
          {
            key: 'edit',
            header: <span class="visually-hidden">Edit</span>,
            align: 'right' as const,
            width: '72px',
            render: (p: SetupProduct) => (
              <button type="button" class="icon-button" aria-label={`Edit ${p.name}`} title={`Edit ${p.name}`} onClick={() => setEditing(p)}>
                <Icon name="edit" size={16} />
              </button>
            ),
          },
        ]
      : []),
  ];

  return (
    <>
      <Card
        flush
        title={`Products · ${setup.products.length}`}
        actions={
          canEdit ? (
            <button type="button" class="button button-primary button-small" onClick={() => setEditing('new')}>
              <Icon name="plus" size={14} /> Add product
            </button>
          ) : null
        }
      >
        <DataTable
          label="Products"
          columns={columns}
          rows={setup.products}
          rowKey={(p) => p.id}
          empty={
            <EmptyState icon="setup" title="No products yet">
              Add what the bars sell, with its category and price; then put products on each station's menu.
            </EmptyState>
          }
        />
      </Card>
      {editing ? (
        <ProductDialog product={editing === 'new' ? null : editing} currency={currency} categories={categories} change={change} onClose={() => setEditing(null)} />
      ) : null}
    </>
  );
}
