import { useEffect, useRef, useState } from 'preact/hooks';
import type { BandTap, KioskState, MenuView, SaleOutcome } from '../../kiosk/api.ts';
import { toCallError } from '../bridge.ts';
import { BalancePanel, type Balance } from '../components/balance-panel.tsx';
import { ReaderPanel } from '../components/banners.tsx';
import { CartPanel } from '../components/cart-panel.tsx';
import { IconContactless, IconLogout, IconReceipt, IconSpinner } from '../components/icons.tsx';
import { ManualTapFlow } from '../components/manual-tap.tsx';
import { CategoryTabs, defaultCategory, ProductGrid } from '../components/product-grid.tsx';
import { useBounceHint } from '../hooks/use-bounce-hint.ts';
import { useBridge, useKioskEvent } from '../hooks/use-kiosk.ts';
import { addToCart, cartTotal, reconcileWithMenu, removeLine, sellLines, setQuantity, type Cart } from '../logic/cart.ts';
import { money } from '../logic/money.ts';
import { RecentOrders } from './recent-orders.tsx';
import { ApprovedScreen, DeclinedScreen } from './result.tsx';
import { TapOverlay } from './tap-overlay.tsx';

type Approved = Extract<SaleOutcome, { approved: true }>;
type Declined = Extract<SaleOutcome, { approved: false }>;

export type Phase =
  | { kind: 'building' }
  | { kind: 'awaiting'; error: string | null }
  | { kind: 'processing' }
  | { kind: 'approved'; outcome: Approved }
  | { kind: 'declined'; outcome: Declined };

/** The bartender's main screen: menu, order, charge to a wristband, and everything around a sale. */
export function SellScreen({ state }: { state: KioskState }) {
  const bridge = useBridge();
  const [menu, setMenu] = useState<MenuView | null>(null);
  const [menuError, setMenuError] = useState<string | null>(null);
  const [category, setCategory] = useState<string | null>(null);
  const [cart, setCart] = useState<Cart>([]);
  const [phase, setPhase] = useState<Phase>({ kind: 'building' });
  const [manual, setManual] = useState(false);
  const [balance, setBalance] = useState<Balance | null>(null);
  const [recentOpen, setRecentOpen] = useState(false);
  const handledTaps = useRef(new Set<string>());
  const currency = menu?.currency ?? state.event?.currency ?? 'EUR';
  const total = cartTotal(cart);

  const loadMenu = () =>
    bridge.call('menu', {}).then(
      (m) => {
        setMenu(m);
        setMenuError(null);
        setCart((c) => reconcileWithMenu(c, new Map(m.categories.flatMap((cat) => cat.products.map((p) => [p.id, p] as const)))));
        setCategory((c) => (c !== null && (c === '__all__' || m.categories.some((cat) => cat.name === c)) ? c : defaultCategory(m)));
      },
      (err: unknown) => setMenuError(toCallError(err).message),
    );
  useEffect(() => {
    void loadMenu();
  }, [state.station?.id, state.event?.id]);

  const sell = async (tap: BandTap) => {
    setManual(false);
    setPhase({ kind: 'processing' });
    try {
      const outcome = await bridge.call('sell', { tapId: tap.id, lines: sellLines(cart) });
      if (outcome.approved) {
        setCart([]);
        setPhase({ kind: 'approved', outcome });
        void loadMenu();
      } else setPhase({ kind: 'declined', outcome });
    } catch (err) {
      const e = toCallError(err);
      setPhase({ kind: 'awaiting', error: e.message });
      if (e.code === 'unknown_product') void loadMenu();
    }
  };

  const lookup = async (tap: BandTap) => {
    const shown: Balance = { uid: tap.uid, result: null, error: null };
    setBalance(shown);
    try {
      const result = await bridge.call('lookup', { tapId: tap.id });
      setBalance((b) => (b === shown ? { ...shown, result } : b));
    } catch (err) {
      const error = toCallError(err).message;
      setBalance((b) => (b === shown ? { ...shown, error } : b));
    }
  };

  const onTap = (tap: BandTap) => {
    if (handledTaps.current.has(tap.id)) return;
    handledTaps.current.add(tap.id);
    switch (phase.kind) {
      case 'awaiting':
      case 'declined':
        void sell(tap);
        return;
      case 'processing':
        return;
      case 'approved':
        setPhase({ kind: 'building' });
        void lookup(tap);
        return;
      case 'building':
        void lookup(tap);
    }
  };
  useKioskEvent('tap', onTap);
  // A quick re-tap dropped as a bounce charges nothing: while a sale waits for a band, say so.
  const bounceHint = useBounceHint(phase.kind === 'awaiting' || phase.kind === 'declined');

  // The cart emptied under an open overlay (menu change): nothing left to charge.
  useEffect(() => {
    if (cart.length === 0 && (phase.kind === 'awaiting' || phase.kind === 'declined')) setPhase({ kind: 'building' });
  }, [cart.length]);

  // Recent orders refetch when an order is made or acknowledged.
  const recentKey = `${state.pending}:${phase.kind}`;
  const readerReady = state.reader.status === 'ready';

  const charge = () => {
    if (cart.length === 0) return;
    setBalance(null);
    setPhase({ kind: 'awaiting', error: null });
    if (!readerReady) setManual(true);
  };

  return (
    <main class="screen sell" data-testid="screen-sell" data-phase={phase.kind}>
      <section class="menu-area">
        {menu && category !== null && <CategoryTabs menu={menu} category={category} onCategory={setCategory} />}
        {!readerReady && <ReaderPanel state={state} />}
        {menu && category !== null ? (
          <ProductGrid menu={menu} category={category} cart={cart} onAdd={(p) => setCart((c) => addToCart(c, p))} />
        ) : (
          <div class="product-grid">
            <p class="muted loading-line">{menuError ?? <><IconSpinner size={24} /> Loading the menu…</>}</p>
          </div>
        )}
        <footer class="menu-foot">
          <button type="button" class="button button-secondary" data-testid="recent-button" onClick={() => setRecentOpen(true)}>
            <IconReceipt size={24} /> Recent orders
          </button>
          <p class="menu-hint">
            <IconContactless size={22} /> Tap a wristband any time to check its tab.
          </p>
          <button type="button" class="button button-ghost" data-testid="logout-button" onClick={() => void bridge.call('logout', {})}>
            <IconLogout size={24} /> Log out
          </button>
        </footer>
        {balance && <BalancePanel balance={balance} currency={currency} onClose={() => setBalance(null)} />}
      </section>
      <CartPanel
        cart={cart}
        currency={currency}
        reader={state.reader}
        onQuantity={(id, q) => setCart((c) => setQuantity(c, id, q))}
        onRemove={(id) => setCart((c) => removeLine(c, id))}
        onClear={() => setCart([])}
        onCharge={charge}
      />
      {(phase.kind === 'awaiting' || phase.kind === 'processing') && (
        <TapOverlay
          phase={phase.kind}
          cart={cart}
          total={total}
          currency={currency}
          reader={state.reader}
          error={phase.kind === 'awaiting' ? phase.error : null}
          hint={bounceHint}
          onCancel={() => setPhase({ kind: 'building' })}
          onManual={() => setManual(true)}
        />
      )}
      {manual && phase.kind === 'awaiting' && <ManualTapFlow subtitle={`Charge ${money(total, currency)} to the band with this number.`} onTap={onTap} onCancel={() => setManual(false)} />}
      {phase.kind === 'approved' && <ApprovedScreen outcome={phase.outcome} currency={currency} onDone={() => setPhase({ kind: 'building' })} />}
      {phase.kind === 'declined' && (
        <DeclinedScreen
          outcome={phase.outcome}
          hint={bounceHint}
          onTryAgain={() => setPhase({ kind: 'awaiting', error: null })}
          onBack={() => setPhase({ kind: 'building' })}
        />
      )}
      {recentOpen && <RecentOrders currency={currency} refreshKey={recentKey} onClose={() => setRecentOpen(false)} />}
    </main>
  );
}
