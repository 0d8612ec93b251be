import { useEffect, useState } from 'preact/hooks';

/* A tiny history router: the console's paths live under /console/. */

export const BASE = '/console';

const listeners = new Set<() => void>();
window.addEventListener('popstate', () => listeners.forEach((l) => l()));

/** `to` is a console path such as '/team' or '/audit?page=2'. */
export function navigate(to: string, opts: { replace?: boolean } = {}): void {
  const url = BASE + to;
  if (url === location.pathname + location.search) return;
  if (opts.replace) history.replaceState(null, '', url);
  else history.pushState(null, '', url);
  listeners.forEach((l) => l());
  window.scrollTo(0, 0);
}

function current(): { path: string; query: URLSearchParams } {
  const p = location.pathname.startsWith(BASE) ? location.pathname.slice(BASE.length) : location.pathname;
  return { path: p === '' ? '/' : p.replace(/\/+$/, '') || '/', query: new URLSearchParams(location.search) };
}

/** The current console path (without /console) and query, re-rendering on every navigation. */
export function useLocation(): { path: string; query: URLSearchParams } {
  const [loc, setLoc] = useState(current);
  useEffect(() => {
    const l = () => setLoc(current());
    listeners.add(l);
    return () => void listeners.delete(l);
  }, []);
  return loc;
}

/** Click handler for in-app links: plain clicks navigate here, modified clicks (new tab) stay the browser's. */
export function linkClick(to: string) {
  return (e: MouseEvent) => {
    if (e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
    e.preventDefault();
    navigate(to);
  };
}
