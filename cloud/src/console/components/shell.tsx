import type { ComponentChildren, JSX } from 'preact';
import { useConsole } from '../context.ts';
import { eventMeta, initials } from '../format.ts';
import { linkClick } from '../router.ts';
import { ROUTES } from '../routes.tsx';
import { Icon, Logo } from './icons.tsx';
import { Dropdown } from './ui.tsx';

/* The signed-in frame: left navigation, top bar (organisation, event picker, user menu), and the page. */

const GROUPS = [
  { id: 'event', label: 'Event' },
  { id: 'organisation', label: 'Organisation' },
] as const;

function Nav({ path }: { path: string }): JSX.Element {
  const { can } = useConsole();
  return (
    <nav class="sidebar-nav" aria-label="Console">
      {GROUPS.map((g) => (
        <div key={g.id} class="nav-group">
          <div class="nav-group-label">{g.label}</div>
          {ROUTES.filter((r) => r.nav?.group === g.id && (!r.minRole || can(r.minRole))).map((r) => {
            const active = path === r.path || path.startsWith(r.path + '/');
            return (
              <a key={r.path} href={`/console${r.path}`} class={`nav-item${active ? ' active' : ''}`} aria-current={active ? 'page' : undefined} onClick={linkClick(r.path)}>
                <Icon name={r.nav!.icon} />
                <span>{r.nav!.label ?? r.title}</span>
              </a>
            );
          })}
        </div>
      ))}
    </nav>
  );
}

function EventPicker(): JSX.Element {
  const { session, event, pickEvent } = useConsole();
  if (!event) {
    return (
      <div class="event-picker event-picker-empty">
        <Icon name="calendar" />
        <span>No events yet</span>
      </div>
    );
  }
  return (
    <Dropdown
      label="Pick an event"
      trigger={(open) => (
        <span class="event-picker">
          <Icon name="calendar" />
          <span class="event-picker-text">
            <span class="event-picker-name">{event.name}</span>
            <span class="event-picker-meta">{eventMeta(event)}</span>
          </span>
          <Icon name="chevronDown" class={open ? 'flip' : undefined} />
        </span>
      )}
    >
      <div class="menu-label">Events of {session.organisation.name}</div>
      {session.events.map((e) => (
        <button key={e.id} type="button" role="menuitemradio" aria-checked={e.id === event.id} class={`menu-item${e.id === event.id ? ' selected' : ''}`} onClick={() => pickEvent(e.id)}>
          <span class="menu-item-text">
            <span>{e.name}</span>
            <span class="menu-item-meta">{eventMeta(e, [e.currency])}</span>
          </span>
          {e.id === event.id ? <Icon name="check" size={16} /> : null}
        </button>
      ))}
    </Dropdown>
  );
}

const ROLE_LABEL = { owner: 'Owner', manager: 'Manager', viewer: 'Viewer' } as const;

function UserMenu(): JSX.Element {
  const { session, signOut } = useConsole();
  const u = session.user;
  return (
    <Dropdown
      label="Account"
      align="right"
      trigger={() => (
        <span class="user-chip">
          <span class="avatar">{initials(u.name)}</span>
          <span class="user-chip-text">
            <span class="user-chip-name">{u.name}</span>
            <span class="user-chip-role">{ROLE_LABEL[u.role]}</span>
          </span>
          <Icon name="chevronDown" />
        </span>
      )}
    >
      <div class="menu-header">
        <div class="menu-header-name">{u.name}</div>
        <div class="menu-header-email">{u.email}</div>
      </div>
      <a class="menu-item" href="/console/security" onClick={linkClick('/security')}>
        <Icon name="lock" size={16} />
        <span>Two-factor sign-in</span>
        <span class={`menu-item-end ${u.totpEnrolled ? 'text-success' : 'text-muted'}`}>{u.totpEnrolled ? 'On' : 'Off'}</span>
      </a>
      <button type="button" class="menu-item" onClick={() => void signOut()}>
        <Icon name="signOut" size={16} />
        <span>Sign out</span>
      </button>
    </Dropdown>
  );
}

export function Shell({ path, children }: { path: string; children: ComponentChildren }): JSX.Element {
  const { session } = useConsole();
  return (
    <div class="shell">
      <aside class="sidebar">
        <a class="brand" href="/console/" onClick={linkClick('/')}>
          <Logo />
          <span class="brand-name">Tapline</span>
          <span class="brand-tag">Console</span>
        </a>
        <Nav path={path} />
        <div class="sidebar-footer">
          <div class="org-card">
            <span class="org-avatar">{initials(session.organisation.name)}</span>
            <span class="org-text">
              <span class="org-name">{session.organisation.name}</span>
              <span class="org-meta">
                {session.events.length} {session.events.length === 1 ? 'event' : 'events'}
              </span>
            </span>
          </div>
        </div>
      </aside>
      <div class="main">
        <header class="topbar">
          <div class="topbar-left">
            <span class="topbar-org">{session.organisation.name}</span>
            <span class="topbar-sep">/</span>
            <EventPicker />
          </div>
          <div class="topbar-right">
            <UserMenu />
          </div>
        </header>
        <main class="content" id="content">
          {children}
        </main>
      </div>
    </div>
  );
}
