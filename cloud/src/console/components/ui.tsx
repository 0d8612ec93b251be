import type { ComponentChildren, JSX } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import { Icon, type IconName } from './icons.tsx';

/* Small building blocks every screen uses: page header, card, empty state, notices, badges, buttons, dropdowns. */

export function PageHeader(props: { title: string; description?: ComponentChildren; actions?: ComponentChildren }): JSX.Element {
  return (
    <header class="page-header">
      <div>
        <h1>{props.title}</h1>
        {props.description ? <p class="page-description">{props.description}</p> : null}
      </div>
      {props.actions ? <div class="page-actions">{props.actions}</div> : null}
    </header>
  );
}

export function Card(props: { title?: ComponentChildren; actions?: ComponentChildren; children: ComponentChildren; flush?: boolean; class?: string }): JSX.Element {
  return (
    <section class={`card${props.flush ? ' card-flush' : ''}${props.class ? ` ${props.class}` : ''}`}>
      {props.title || props.actions ? (
        <header class="card-header">
          {props.title ? <h2>{props.title}</h2> : <span />}
          {props.actions}
        </header>
      ) : null}
      {props.children}
    </section>
  );
}

/** What a screen shows when it has nothing yet: what this is, and what to do to fill it. */
export function EmptyState(props: { icon: IconName; title: string; children?: ComponentChildren; action?: ComponentChildren }): JSX.Element {
  return (
    <div class="empty-state">
      <div class="empty-icon">
        <Icon name={props.icon} size={24} />
      </div>
      <h3>{props.title}</h3>
      {props.children ? <p>{props.children}</p> : null}
      {props.action ? <div class="empty-action">{props.action}</div> : null}
    </div>
  );
}

export function Notice(props: { tone: 'error' | 'info' | 'success' | 'warning'; children: ComponentChildren; title?: string }): JSX.Element {
  const icon: IconName = props.tone === 'error' || props.tone === 'warning' ? 'alert' : props.tone === 'success' ? 'check' : 'info';
  return (
    <div class={`notice notice-${props.tone}`} role={props.tone === 'error' ? 'alert' : 'status'}>
      <Icon name={icon} size={18} />
      <div>
        {props.title ? <strong>{props.title}</strong> : null}
        <div>{props.children}</div>
      </div>
    </div>
  );
}

export function Badge(props: { tone?: 'neutral' | 'accent' | 'success' | 'warning' | 'danger'; children: ComponentChildren; title?: string }): JSX.Element {
  return (
    <span class={`badge badge-${props.tone ?? 'neutral'}`} title={props.title}>
      {props.children}
    </span>
  );
}

/** The classes of each look a figure takes: the live view's headline figures, and the facts about a venue's hub link. */
const FIGURE_CLASSES = {
  kpi: { box: 'kpi card', label: 'kpi-label', value: 'kpi-value num', sub: 'kpi-sub' },
  'device-fact': { box: 'device-fact', label: 'device-fact-label', value: 'device-fact-value', sub: 'device-fact-sub' },
} as const;

/** A figure under its label, with a line beneath when there is more to say. */
export function Figure(props: { look: keyof typeof FIGURE_CLASSES; label: string; value: ComponentChildren; sub?: string | undefined; testId?: string }): JSX.Element {
  const c = FIGURE_CLASSES[props.look];
  return (
    <div class={c.box}>
      <span class={c.label}>{props.label}</span>
      <span class={c.value} data-testid={props.testId}>
        {props.value}
      </span>
      {props.sub ? <span class={c.sub}>{props.sub}</span> : null}
    </div>
  );
}

export function Spinner(): JSX.Element {
  return <span class="spinner" aria-label="Loading" />;
}

/** A page's loading placeholder: grey bars where the content will be. */
export function Skeleton({ rows = 5 }: { rows?: number }): JSX.Element {
  return (
    <div class="skeleton" aria-busy="true" aria-label="Loading">
      {Array.from({ length: rows }, (_, i) => (
        <div key={i} class="skeleton-row" style={{ width: `${90 - ((i * 17) % 35)}%` }} />
      ))}
    </div>
  );
}

/** A button-triggered menu that closes on outside click and Escape. */
export function Dropdown(props: { trigger: (open: boolean) => ComponentChildren; children: ComponentChildren; align?: 'left' | 'right'; label: string }): JSX.Element {
  const [open, setOpen] = useState(false);
  const ref = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (!open) return;
    const onDown = (e: MouseEvent) => {
      if (ref.current && !ref.current.contains(e.target as Node)) setOpen(false);
    };
    const onKey = (e: KeyboardEvent) => e.key === 'Escape' && setOpen(false);
    document.addEventListener('mousedown', onDown);
    document.addEventListener('keydown', onKey);
    return () => {
      document.removeEventListener('mousedown', onDown);
      document.removeEventListener('keydown', onKey);
    };
  }, [open]);
  return (
    <div class="dropdown" ref={ref}>
      <button type="button" class="dropdown-trigger" aria-haspopup="menu" aria-expanded={open} aria-label={props.label} onClick={() => setOpen(!open)}>
        {props.trigger(open)}
      </button>
      {open ? (
        <div class={`dropdown-menu dropdown-${props.align ?? 'left'}`} role="menu" onClick={() => setOpen(false)}>
          {props.children}
        </div>
      ) : null}
    </div>
  );
}

/** A centred dialog over a dimmed page; Escape or the backdrop closes it. */
export function Dialog(props: { title: string; onClose: () => void; children: ComponentChildren; footer?: ComponentChildren }): JSX.Element {
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => e.key === 'Escape' && props.onClose();
    document.addEventListener('keydown', onKey);
    return () => document.removeEventListener('keydown', onKey);
  }, [props.onClose]);
  return (
    <div class="dialog-backdrop" onMouseDown={(e) => e.target === e.currentTarget && props.onClose()}>
      <div class="dialog" role="dialog" aria-modal="true" aria-label={props.title}>
        <header class="dialog-header">
          <h2>{props.title}</h2>
          <button type="button" class="icon-button" aria-label="Close" onClick={props.onClose}>
            <Icon name="close" />
          </button>
        </header>
        <div class="dialog-body">{props.children}</div>
        {props.footer ? <footer class="dialog-footer">{props.footer}</footer> : null}
      </div>
    </div>
  );
}

/** A yes-or-no question about one action: Cancel closes it; the action's button closes it, then acts. */
export function ConfirmDialog(props: {
  title: string;
  action: string;
  tone: 'primary' | 'danger';
  onClose: () => void;
  onConfirm: () => void;
  children: ComponentChildren;
}): JSX.Element {
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
            class={`button button-${props.tone}`}
            onClick={() => {
              props.onClose();
              props.onConfirm();
            }}
          >
            {props.action}
          </button>
        </>
      }
    >
      {props.children}
    </Dialog>
  );
}

/** Copies `text`; says "Copied" for a moment. */
export function CopyButton({ text, label = 'Copy' }: { text: string; label?: string }): JSX.Element {
  const [copied, setCopied] = useState(false);
  return (
    <button
      type="button"
      class="button button-secondary button-small"
      onClick={() => {
        void navigator.clipboard?.writeText(text).then(() => {
          setCopied(true);
          setTimeout(() => setCopied(false), 1500);
        });
      }}
    >
      <Icon name={copied ? 'check' : 'copy'} size={14} />
      {copied ? 'Copied' : label}
    </button>
  );
}
