import type { Response } from 'express';

/*
 * The one layout of the cloud's public attendee pages (tab page, registration, card, confirmation): server-rendered
 * HTML, mobile first, no external assets (no CDN, no web fonts), inline CSS only. Shared by every page so they look
 * like one product. Values reach HTML only through `html` (escaped) or `raw` (trusted markup the server built).
 */

/** Markup the server built itself; anything else interpolated into `html` is escaped. */
export class Raw {
  constructor(readonly value: string) {}
  toString(): string {
    return this.value;
  }
}

export const raw = (markup: string): Raw => new Raw(markup);

export function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

type Part = Raw | string | number | boolean | null | undefined | readonly Part[];

function render(part: Part): string {
  if (part === null || part === undefined || part === false || part === true) return '';
  if (part instanceof Raw) return part.value;
  if (Array.isArray(part)) return part.map(render).join('');
  return escapeHtml(String(part));
}

/** A template tag: `html\`<p>${name}</p>\`` escapes `name`; nested `html` results and arrays of them pass through. */
export function html(strings: TemplateStringsArray, ...values: Part[]): Raw {
  let out = strings[0]!;
  values.forEach((v, i) => {
    out += render(v) + strings[i + 1]!;
  });
  return new Raw(out);
}

/** Neutral greys, one accent, an 8-px grid, the system font stack, tabular numbers for money. */
export const PUBLIC_CSS = `
:root{--bg:#f4f5f7;--card:#fff;--text:#1d2330;--muted:#5d6575;--line:#e3e6eb;--accent:#3b5bdb;--accent-ink:#fff;
--accent-soft:#edf1fd;--good:#1f7a4d;--good-soft:#e6f4ec;--warn:#9a5b00;--warn-soft:#fdf3e1;--bad:#b42318;--bad-soft:#fdecea;
--radius:12px;--shadow:0 1px 2px rgba(16,24,40,.06),0 1px 3px rgba(16,24,40,.08)}
*{box-sizing:border-box}
html{-webkit-text-size-adjust:100%}
body{margin:0;background:var(--bg);color:var(--text);font:16px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif}
.page{max-width:560px;margin:0 auto;padding:16px 16px 48px}
.brand{display:flex;align-items:center;gap:8px;font-weight:700;letter-spacing:.2px;color:var(--accent);padding:8px 0 16px}
.brand-mark{width:24px;height:24px;border-radius:6px;background:var(--accent);display:inline-block}
.brand-name{color:var(--text)}
h1{font-size:24px;line-height:1.25;margin:0 0 4px}
h2{font-size:16px;margin:0 0 8px}
.muted{color:var(--muted)}
.small{font-size:14px}
.card{background:var(--card);border-radius:var(--radius);box-shadow:var(--shadow);padding:16px;margin:0 0 16px}
.card>h2:first-child{margin-top:0}
.row{display:flex;justify-content:space-between;align-items:baseline;gap:16px;padding:4px 0}
.row.total{border-top:1px solid var(--line);margin-top:8px;padding-top:12px;font-size:20px;font-weight:700}
.num,.amount{font-variant-numeric:tabular-nums;white-space:nowrap}
.badge{display:inline-block;font-size:13px;font-weight:600;border-radius:999px;padding:2px 10px;background:var(--accent-soft);color:var(--accent)}
.badge.good{background:var(--good-soft);color:var(--good)}
.badge.warn{background:var(--warn-soft);color:var(--warn)}
.badge.bad{background:var(--bad-soft);color:var(--bad)}
.notice{border-radius:8px;padding:12px 16px;margin:0 0 16px;background:var(--accent-soft)}
.notice.good{background:var(--good-soft);color:var(--good)}
.notice.bad{background:var(--bad-soft);color:var(--bad)}
.notice.warn{background:var(--warn-soft);color:var(--warn)}
.btn{display:inline-flex;align-items:center;justify-content:center;min-height:48px;padding:0 20px;border-radius:10px;border:1px solid var(--line);
background:var(--card);color:var(--text);font:inherit;font-weight:600;text-decoration:none;cursor:pointer}
.btn.primary{background:var(--accent);border-color:var(--accent);color:var(--accent-ink)}
.btn.block{display:flex;width:100%}
.btn:focus-visible,input:focus-visible,label:focus-within{outline:3px solid rgba(59,91,219,.35);outline-offset:2px}
label{display:block;font-weight:600;margin:0 0 4px}
input[type=text],input[type=email],input[type=tel],input[type=number]{width:100%;min-height:48px;padding:8px 12px;border:1px solid #c9ced6;border-radius:10px;font:inherit;background:#fff}
.field{margin:0 0 16px}
.field-error{color:var(--bad);font-size:14px;margin-top:4px}
.footer{text-align:center;color:var(--muted);font-size:13px;padding-top:8px}
.footer a{color:inherit}
@media print{body{background:#fff}.page{max-width:none;padding:0}.card{box-shadow:none;border:1px solid var(--line)}.no-print{display:none!important}}
`;

export interface PageOptions {
  title: string;
  body: Raw;
  /** CSS of this page only, added after the shared sheet. */
  css?: string;
  /** Extra Content-Security-Policy sources, e.g. `{ 'script-src': "https://js.stripe.com" }`. */
  csp?: Record<string, string>;
}

function contentSecurityPolicy(extra: Record<string, string> = {}): string {
  const base: Record<string, string> = {
    'default-src': "'none'",
    'style-src': "'unsafe-inline'",
    'img-src': "'self' data:",
    'form-action': "'self'",
    'base-uri': "'none'",
    'frame-ancestors': "'none'",
  };
  for (const [k, v] of Object.entries(extra)) base[k] = base[k] && base[k] !== "'none'" ? `${base[k]} ${v}` : v;
  return Object.entries(base)
    .map(([k, v]) => `${k} ${v}`)
    .join('; ');
}

export function renderPage(options: PageOptions): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex">
<title>${escapeHtml(options.title)}</title>
<style>${PUBLIC_CSS}${options.css ?? ''}</style>
</head>
<body>
<main class="page">
<div class="brand"><span class="brand-mark" aria-hidden="true"></span><span class="brand-name">Tapline</span></div>
${options.body.value}
</main>
</body>
</html>`;
}

/** Sends a public page: never cached (it shows a person's own data), never framed, no scripts unless `csp` allows them. */
export function sendPage(res: Response, status: number, options: PageOptions): void {
  res
    .status(status)
    .set({
      'content-type': 'text/html; charset=utf-8',
      'cache-control': 'no-store',
      'content-security-policy': contentSecurityPolicy(options.csp),
      'x-content-type-options': 'nosniff',
      'referrer-policy': 'no-referrer',
    })
    .send(renderPage(options));
}
