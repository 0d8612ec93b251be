import type { JSX } from 'preact';

/* Stroke icons on a 24-px grid (drawn for the console; no icon font, no third-party origin). */

const paths = {
  live: 'M3 12h4l3-8 4 16 3-8h4',
  setup: 'M4 6h10M18 6h2M4 12h4M12 12h8M4 18h12M20 18h0M14 4v4M8 10v4M16 16v4',
  attendees: 'M16 19v-1a4 4 0 0 0-4-4H7a4 4 0 0 0-4 4v1M9.5 10a3 3 0 1 0 0-6 3 3 0 0 0 0 6M21 19v-1a4 4 0 0 0-3-3.9M15.5 4.1a3 3 0 0 1 0 5.8',
  devices: 'M4 5h16v10H4zM9 19h6M12 15v4',
  audit: 'M12 3l8 3v6c0 4.5-3.4 8.3-8 9-4.6-.7-8-4.5-8-9V6zM9 12l2 2 4-4',
  team: 'M17 20v-1a4 4 0 0 0-4-4H7a4 4 0 0 0-4 4v1M10 11a4 4 0 1 0 0-8 4 4 0 0 0 0 8M20 8v6M23 11h-6',
  chevronDown: 'M6 9l6 6 6-6',
  chevronLeft: 'M15 18l-6-6 6-6',
  chevronRight: 'M9 18l6-6-6-6',
  calendar: 'M4 6h16v14H4zM4 10h16M8 3v4M16 3v4',
  signOut: 'M15 4h4v16h-4M10 17l5-5-5-5M15 12H3',
  check: 'M5 12l5 5 9-10',
  close: 'M6 6l12 12M18 6L6 18',
  copy: 'M9 9h11v11H9zM5 15H4V4h11v1',
  key: 'M15 7a4 4 0 1 1-3.9 5H9v2H7v2H4v-3l6.1-6.1A4 4 0 0 1 15 7zM16 8h0',
  plus: 'M12 5v14M5 12h14',
  trash: 'M4 7h16M10 11v6M14 11v6M6 7l1 13h10l1-13M9 7V4h6v3',
  info: 'M12 22a10 10 0 1 0 0-20 10 10 0 0 0 0 20zM12 16v-4M12 8h0',
  alert: 'M12 3l10 18H2zM12 10v4M12 17h0',
  lock: 'M5 11h14v10H5zM8 11V7a4 4 0 0 1 8 0v4',
  phone: 'M7 2h10v20H7zM11 18h2',
  history: 'M3 12a9 9 0 1 0 3-6.7L3 8M3 3v5h5M12 7v5l3 3',
  edit: 'M4 20h4L19 9l-4-4L4 16zM13 7l4 4',
  arrowUp: 'M12 19V5M6 11l6-6 6 6',
  arrowDown: 'M12 5v14M6 13l6 6 6-6',
  bar: 'M6 3h12l-1 7a5 5 0 0 1-10 0zM12 15v6M8 21h8',
  terminal: 'M6 3h12v18H6zM9 17h6M9 7h6v6H9z',
  message: 'M4 5h16v11H9l-5 4z',
  download: 'M12 4v11M7 10l5 5 5-5M5 20h14',
  refresh: 'M20 11a8 8 0 0 0-14.3-4.9L4 8M4 4v4h4M4 13a8 8 0 0 0 14.3 4.9L20 16M20 20v-4h-4',
  file: 'M6 3h8l4 4v14H6zM14 3v4h4M9 13h6M9 17h6',
  search: 'M11 18a7 7 0 1 0 0-14 7 7 0 0 0 0 14zM21 21l-5-5',
  receipt: 'M6 3h12v18l-3-2-3 2-3-2-3 2zM9 8h6M9 12h6M9 16h3',
  undo: 'M9 14L4 9l5-5M4 9h11a5 5 0 0 1 0 10h-3',
  ban: 'M12 21a9 9 0 1 0 0-18 9 9 0 0 0 0 18zM5.6 5.6l12.8 12.8',
  arrowLeft: 'M19 12H5M11 18l-6-6 6-6',
  card: 'M3 6h18v12H3zM3 10h18M7 15h4',
  tag: 'M3 12V4h8l10 10-8 8zM7.5 7.5h0',
} as const;

export type IconName = keyof typeof paths;

export function Icon({ name, size = 18, class: cls }: { name: IconName; size?: number; class?: string }): JSX.Element {
  return (
    <svg
      class={`icon${cls ? ` ${cls}` : ''}`}
      width={size}
      height={size}
      viewBox="0 0 24 24"
      fill="none"
      stroke="currentColor"
      stroke-width="1.8"
      stroke-linecap="round"
      stroke-linejoin="round"
      aria-hidden="true"
    >
      <path d={paths[name]} />
    </svg>
  );
}

/** The Tapline mark: a wristband tap, in the accent colour. */
export function Logo({ size = 28 }: { size?: number }): JSX.Element {
  return (
    <svg class="logo-mark" width={size} height={size} viewBox="0 0 32 32" aria-hidden="true">
      <rect width="32" height="32" rx="8" fill="currentColor" />
      <path d="M10 20.5a8 8 0 0 1 0-9M14 18a4 4 0 0 1 0-4" stroke="#fff" stroke-width="2.2" fill="none" stroke-linecap="round" />
      <circle cx="21" cy="16" r="3.2" fill="#fff" />
    </svg>
  );
}
