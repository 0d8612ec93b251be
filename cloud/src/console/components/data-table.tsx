import type { ComponentChildren, JSX } from 'preact';
import { Icon } from './icons.tsx';

/* The console's table: a header row, rows, numbers right-aligned in tabular figures, and an empty state inside. */

export interface Column<T> {
  key: string;
  header: ComponentChildren;
  render: (row: T) => ComponentChildren;
  /** 'number' right-aligns with tabular figures (money, counts). */
  align?: 'left' | 'right' | 'number';
  width?: string;
}

export function DataTable<T>(props: {
  columns: Column<T>[];
  rows: T[];
  rowKey: (row: T) => string | number;
  empty?: ComponentChildren;
  label: string;
}): JSX.Element {
  return (
    <div class="table-wrap">
      <table class="data-table" aria-label={props.label}>
        <thead>
          <tr>
            {props.columns.map((c) => (
              <th key={c.key} class={c.align ? `align-${c.align}` : undefined} style={c.width ? { width: c.width } : undefined} scope="col">
                {c.header}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {props.rows.map((row) => (
            <tr key={props.rowKey(row)}>
              {props.columns.map((c) => (
                <td key={c.key} class={c.align ? `align-${c.align}` : undefined}>
                  {c.render(row)}
                </td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
      {props.rows.length === 0 && props.empty ? <div class="table-empty">{props.empty}</div> : null}
    </div>
  );
}

/** "Showing 51–100 of 230" with previous / next. */
export function Pager(props: { page: number; pageSize: number; total: number; onPage: (page: number) => void; noun?: string }): JSX.Element | null {
  const { page, pageSize, total } = props;
  if (total === 0) return null;
  const pages = Math.max(1, Math.ceil(total / pageSize));
  const from = (page - 1) * pageSize + 1;
  const to = Math.min(total, page * pageSize);
  return (
    <nav class="pager" aria-label="Pages">
      <span class="pager-status">
        Showing <strong>{from.toLocaleString('en')}</strong>–<strong>{to.toLocaleString('en')}</strong> of{' '}
        <strong>{total.toLocaleString('en')}</strong> {props.noun ?? 'entries'}
      </span>
      <div class="pager-buttons">
        <button type="button" class="button button-secondary button-small" disabled={page <= 1} onClick={() => props.onPage(page - 1)}>
          <Icon name="chevronLeft" size={14} /> Previous
        </button>
        <span class="pager-page">
          Page {page} of {pages}
        </span>
        <button type="button" class="button button-secondary button-small" disabled={page >= pages} onClick={() => props.onPage(page + 1)}>
          Next <Icon name="chevronRight" size={14} />
        </button>
      </div>
    </nav>
  );
}
