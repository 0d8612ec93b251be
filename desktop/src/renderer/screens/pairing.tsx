import { useState } from 'preact/hooks';
import type { FoundHubView, KioskState } from '../../kiosk/api.ts';
import { toCallError } from '../bridge.ts';
import { IconArrowLeft, IconArrowRight, IconHub, IconKeyboard, IconSearch, IconSpinner, LogoMark } from '../components/icons.tsx';
import { applyKey, Keypad, useKeyboardPad, type PadKey } from '../components/keypad.tsx';
import { useBridge } from '../hooks/use-kiosk.ts';
import { normaliseHubAddress } from '../logic/hub-address.ts';

interface Target {
  url: string;
  name: string | null;
}

/** A new kiosk: find the hub on the LAN (or type its address), then pair with the code the hub shows. */
export function PairingScreen({ state, hubs }: { state: KioskState; hubs: FoundHubView[] }) {
  const [target, setTarget] = useState<Target | null>(null);
  const [manual, setManual] = useState(false);
  return (
    <div class="screen pairing" data-testid="screen-pairing">
      <header class="setup-head">
        <LogoMark size={36} />
        <span class="setup-brand">Tapline</span>
        <span class="setup-step">Set up this terminal</span>
      </header>
      {target ? (
        <CodeStep target={target} defaultName={state.terminalName ?? 'Bar terminal'} onBack={() => setTarget(null)} />
      ) : manual ? (
        <ManualAddress onBack={() => setManual(false)} onContinue={(url) => setTarget({ url, name: null })} />
      ) : (
        <HubList hubs={hubs} onPick={(h) => setTarget({ url: h.url, name: h.name })} onManual={() => setManual(true)} />
      )}
    </div>
  );
}

function HubList({ hubs, onPick, onManual }: { hubs: FoundHubView[]; onPick: (h: FoundHubView) => void; onManual: () => void }) {
  return (
    <section class="setup-body setup-narrow">
      <h1 class="setup-title">Connect to the venue hub</h1>
      <p class="setup-lead">Choose the hub, then type the six-digit code shown on its screen.</p>
      <div class="hub-list" data-testid="hub-list" data-count={hubs.length}>
        {hubs.map((h) => (
          <button type="button" class="hub-card" data-testid={`hub-card-${h.hubId}`} data-name={h.name} data-url={h.url} onClick={() => onPick(h)} key={h.hubId}>
            <span class="hub-card-icon">
              <IconHub size={30} />
            </span>
            <span class="hub-card-text">
              <span class="hub-card-name">{h.name}</span>
              <span class="hub-card-url">{h.url.replace(/^https?:\/\//, '')}</span>
            </span>
            <IconArrowRight size={28} />
          </button>
        ))}
        <div class="hub-searching" data-testid="hub-searching">
          {hubs.length === 0 ? <IconSpinner size={26} /> : <IconSearch size={22} />}
          <span>
            {hubs.length === 0
              ? 'Looking for hubs on this network… Make sure the hub laptop is on and on the same network.'
              : 'Still looking for other hubs on this network.'}
          </span>
        </div>
      </div>
      <button type="button" class="button button-ghost button-block" data-testid="hub-manual" onClick={onManual}>
        <IconKeyboard size={24} />
        Enter the hub's address by hand
      </button>
    </section>
  );
}

function ManualAddress({ onBack, onContinue }: { onBack: () => void; onContinue: (url: string) => void }) {
  const [address, setAddress] = useState('');
  const submit = (e: Event) => {
    e.preventDefault();
    if (address.trim()) onContinue(normaliseHubAddress(address));
  };
  return (
    <section class="setup-body setup-narrow">
      <button type="button" class="button button-ghost back-button" onClick={onBack} data-testid="pair-back">
        <IconArrowLeft size={24} /> Hubs on this network
      </button>
      <h1 class="setup-title">The hub's address</h1>
      <p class="setup-lead">The hub's status page shows it, for example http://192.168.1.10:4300.</p>
      <form class="address-form" onSubmit={submit}>
        <input
          class="text-input text-input-big"
          data-testid="hub-address-input"
          type="text"
          inputMode="url"
          autoComplete="off"
          spellcheck={false}
          placeholder="http://192.168.1.10:4300"
          value={address}
          onInput={(e) => setAddress(e.currentTarget.value)}
          autoFocus
        />
        <button type="submit" class="button button-primary button-big" data-testid="hub-address-continue" disabled={!address.trim()}>
          Continue <IconArrowRight size={26} />
        </button>
      </form>
    </section>
  );
}

function CodeStep({ target, defaultName, onBack }: { target: Target; defaultName: string; onBack: () => void }) {
  const bridge = useBridge();
  const [code, setCode] = useState('');
  const [name, setName] = useState(defaultName);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [shake, setShake] = useState(0);
  const ready = code.length === 6 && name.trim().length > 0 && !busy;

  const pair = async () => {
    if (!ready) return;
    setBusy(true);
    setError(null);
    try {
      await bridge.call('pair', { hubUrl: target.url, code, name: name.trim() });
      // The kiosk's next state (configuring) takes this screen away.
    } catch (err) {
      const e = toCallError(err);
      setError(e.message);
      if (e.code === 'bad_pairing_code') {
        setCode('');
        setShake((n) => n + 1);
      }
    } finally {
      setBusy(false);
    }
  };
  const onKey = (key: PadKey) => {
    if (key === 'enter') void pair();
    else setCode((c) => applyKey(c, key, 6));
  };
  useKeyboardPad(!busy, onKey);

  return (
    <section class="setup-body code-step">
      <div class="code-step-info">
        <button type="button" class="button button-ghost back-button" onClick={onBack} data-testid="pair-back">
          <IconArrowLeft size={24} /> Back
        </button>
        <h1 class="setup-title">Pair with {target.name ?? 'the hub'}</h1>
        <p class="setup-lead">
          Type the six-digit code shown on the hub's screen. <span class="nowrap mono muted">{target.url.replace(/^https?:\/\//, '')}</span>
        </p>
        <label class="field">
          <span class="field-label">This terminal's name</span>
          <input
            class="text-input"
            data-testid="terminal-name-input"
            type="text"
            maxLength={60}
            value={name}
            onInput={(e) => setName(e.currentTarget.value)}
          />
          <span class="field-hint">Shown on the hub's list of terminals.</span>
        </label>
        {error && (
          <p class="form-error" role="alert" data-testid="pair-error">
            {error}
          </p>
        )}
        <button type="button" class="button button-primary button-big button-block" data-testid="pair-submit" disabled={!ready} onClick={pair}>
          {busy ? <IconSpinner size={26} /> : null}
          {busy ? 'Pairing…' : 'Pair this terminal'}
        </button>
      </div>
      <div class="code-step-pad">
        <div class={`code-boxes${shake ? ' shake' : ''}`} key={shake} data-testid="pair-code" data-value={code}>
          {Array.from({ length: 6 }, (_, i) => (
            <span class={`code-box${i === code.length ? ' is-next' : ''}${i === 3 ? ' gap' : ''}`} key={i}>
              {code[i] ?? ''}
            </span>
          ))}
        </div>
        <Keypad testid="code-key" onKey={onKey} enterLabel="Pair" enterDisabled={!ready} disabled={busy} />
      </div>
    </section>
  );
}
