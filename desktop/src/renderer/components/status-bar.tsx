import type { JSX } from 'preact';
import type { KioskState } from '../../kiosk/api.ts';
import { useNow } from '../hooks/use-kiosk.ts';
import { clockTime, readerTitle, UPLINK_WORDS } from '../logic/words.ts';
import { IconCloud, IconHub, IconReader, IconUpload, IconUser, LogoMark } from './icons.tsx';

type Tone = 'ok' | 'bad' | 'warn' | 'idle';

function Chip(props: { testid: string; label: string; value: string; tone: Tone; icon: JSX.Element; title?: string; data?: Record<string, string> }) {
  const data = Object.fromEntries(Object.entries(props.data ?? {}).map(([k, v]) => [`data-${k}`, v]));
  return (
    <div class={`chip tone-${props.tone}`} data-testid={props.testid} title={props.title} {...data}>
      <span class="chip-icon">{props.icon}</span>
      <span class="chip-text">
        <span class="chip-label">{props.label}</span>
        <span class="chip-value">
          <span class="dot" />
          {props.value}
        </span>
      </span>
    </div>
  );
}

/** Always on screen once paired: what this terminal is, and whether its orders are getting through. */
export function StatusBar({ state }: { state: KioskState }) {
  const now = useNow();
  const { hub, cloud, reader } = state;
  const cloudTone: Tone = !hub.connected ? 'idle' : cloud.uplink === 'online' ? 'ok' : cloud.uplink === 'offline' ? 'warn' : 'idle';
  const cloudValue = hub.connected ? UPLINK_WORDS[cloud.uplink] : 'Unknown';
  return (
    <header class="status-bar" data-testid="status-bar">
      <div class="status-brand">
        <LogoMark size={30} />
        <div class="status-where">
          <span class="status-station" data-testid="status-station">
            {state.station?.name ?? state.terminalName ?? 'Tapline'}
          </span>
          <span class="status-sub">
            {state.station ? [state.event?.name, state.terminalName].filter(Boolean).join(' · ') : (state.event?.name ?? 'Setting up')}
          </span>
        </div>
      </div>
      <div class="status-chips">
        <Chip
          testid="status-hub"
          label="Hub"
          value={hub.connected ? 'Connected' : 'Offline'}
          tone={hub.connected ? 'ok' : 'bad'}
          icon={<IconHub size={20} />}
          title={hub.url ?? undefined}
          data={{ state: hub.connected ? 'connected' : 'offline' }}
        />
        <Chip
          testid="status-cloud"
          label="Cloud"
          value={cloudValue}
          tone={cloudTone}
          icon={<IconCloud size={20} />}
          title="The hub's link to the cloud, as the hub last reported it"
          data={{ state: hub.connected ? cloud.uplink : 'unknown' }}
        />
        <Chip
          testid="status-pending"
          label={state.station?.mode === 'registration' ? 'Records' : 'Orders'}
          value={state.pending === 0 ? 'All sent' : `${state.pending} not yet sent`}
          tone={state.pending === 0 ? 'ok' : 'warn'}
          icon={<IconUpload size={20} />}
          title={state.station?.mode === 'registration' ? 'Sign-ups, pairings and blocks the hub has not acknowledged yet' : 'Orders from this terminal the hub has not acknowledged yet'}
          data={{ count: String(state.pending) }}
        />
        <Chip
          testid="status-reader"
          label="Reader"
          value={readerTitle(reader.status)}
          tone={reader.status === 'ready' ? 'ok' : reader.status === 'starting' ? 'idle' : 'bad'}
          icon={<IconReader size={20} />}
          title={reader.message}
          data={{ state: reader.status }}
        />
      </div>
      <div class="status-end">
        {state.staff && (
          <div class="status-staff" data-testid="status-staff">
            <IconUser size={20} />
            <span>{state.staff.name}</span>
          </div>
        )}
        <time class="status-clock">{clockTime(now)}</time>
      </div>
    </header>
  );
}
