import type { JSX } from 'preact';
import type { Role } from './api-types.ts';
import type { IconName } from './components/icons.tsx';
import { AttendeesScreen } from './screens/attendees.tsx';
import { AuditLogScreen } from './screens/audit-log.tsx';
import { IssuesScreen } from './screens/issues.tsx';
import { TabScreen } from './screens/tab-detail.tsx';
import { LiveScreen } from './screens/live.tsx';
import { ComingSoon } from './screens/coming-soon.tsx';
import { SecurityScreen } from './screens/security.tsx';
import { DevicesScreen } from './screens/devices.tsx';
import { SetupScreen } from './screens/setup.tsx';
import { TeamScreen } from './screens/team.tsx';

/*
 * Every screen of the signed-in console. To add one: write `screens/<name>.tsx` (use `useConsole()` for the session
 * and picked event, `api` for the server), then add an entry here; `nav` puts it in the left navigation under its
 * group. `path` is under /console.
 */

export interface ConsoleRoute {
  path: string;
  title: string;
  screen: () => JSX.Element;
  /** In the left navigation: its group and icon. Absent: reachable by link only. */
  nav?: { group: 'event' | 'organisation'; icon: IconName; label?: string };
  /** Hidden from (and refused to) roles below this one; the server checks again. */
  minRole?: Role;
}

export const ROUTES: ConsoleRoute[] = [
  { path: '/live', title: 'Live', nav: { group: 'event', icon: 'live' }, screen: LiveScreen },
  { path: '/setup', title: 'Set-up', nav: { group: 'event', icon: 'setup' }, screen: SetupScreen },
  { path: '/attendees', title: 'Attendees & tabs', nav: { group: 'event', icon: 'attendees' }, screen: AttendeesScreen },
  { path: '/attendees/tab', title: 'Tab', screen: TabScreen },
  { path: '/attendees/attention', title: 'Needs attention', screen: IssuesScreen },
  { path: '/devices', title: 'Devices', nav: { group: 'event', icon: 'devices' }, screen: DevicesScreen },
  { path: '/team', title: 'Team', nav: { group: 'organisation', icon: 'team' }, screen: TeamScreen },
  { path: '/audit', title: 'Audit log', nav: { group: 'organisation', icon: 'audit' }, screen: AuditLogScreen },
  { path: '/security', title: 'Two-factor sign-in', screen: SecurityScreen },
];

/** Where /console/ lands. */
export const HOME = '/live';
