import type { ReaderView } from '../../kiosk/api.ts';
import { cartTotal, itemCount, lineTotal, type Cart } from '../logic/cart.ts';
import { money } from '../logic/money.ts';
import { plural } from '../logic/words.ts';
import { IconContactless, IconLock, IconMinus, IconPlus, IconReceipt, IconTrash } from './icons.tsx';

interface Props {
  cart: Cart;
  currency: string;
  reader: ReaderView;
  onQuantity: (productId: string, quantity: number) => void;
  onRemove: (productId: string) => void;
  onClear: () => void;
  onCharge: () => void;
}

export function CartPanel({ cart, currency, reader, onQuantity, onRemove, onClear, onCharge }: Props) {
  const total = cartTotal(cart);
  const readerReady = reader.status === 'ready';
  return (
    <aside class="cart" data-testid="cart">
      <header class="cart-head">
        <h2>Order</h2>
        {cart.length > 0 && (
          <button type="button" class="button button-ghost button-small" data-testid="cart-clear" onClick={onClear}>
            Clear
          </button>
        )}
      </header>
      <div class="cart-lines" data-testid="cart-lines">
        {cart.length === 0 ? (
          <div class="cart-empty">
            <IconReceipt size={44} />
            <p>Tap drinks to add them to the order.</p>
          </div>
        ) : (
          cart.map((l) => (
            <div class="cart-line" data-testid={`cart-line-${l.productId}`} data-name={l.name} data-quantity={l.quantity} key={l.productId}>
              <div class="cart-line-top">
                <span class="cart-line-name">{l.name}</span>
                <span class="cart-line-total">{money(lineTotal(l), currency)}</span>
              </div>
              <div class="cart-line-controls">
                <button type="button" class="qty-button" data-testid={`cart-dec-${l.productId}`} aria-label={`One ${l.name} less`} onClick={() => onQuantity(l.productId, l.quantity - 1)}>
                  <IconMinus size={26} />
                </button>
                <span class="qty" data-testid={`cart-qty-${l.productId}`}>
                  {l.quantity}
                </span>
                <button type="button" class="qty-button" data-testid={`cart-inc-${l.productId}`} aria-label={`One more ${l.name}`} onClick={() => onQuantity(l.productId, l.quantity + 1)}>
                  <IconPlus size={26} />
                </button>
                <span class="cart-line-each">{money(l.price, currency)} each</span>
                <button type="button" class="qty-button qty-remove" data-testid={`cart-remove-${l.productId}`} aria-label={`Remove ${l.name}`} onClick={() => onRemove(l.productId)}>
                  <IconTrash size={24} />
                </button>
              </div>
            </div>
          ))
        )}
      </div>
      <footer class="cart-foot">
        <div class="cart-total-row">
          <span class="cart-count" data-testid="cart-count">
            {plural(itemCount(cart), 'item')}
          </span>
          <span class="cart-total" data-testid="cart-total" data-amount={total}>
            {money(total, currency)}
          </span>
        </div>
        <button type="button" class="button button-primary tap-button" data-testid="tap-button" data-reader={reader.status} disabled={cart.length === 0} onClick={onCharge}>
          {readerReady ? <IconContactless size={36} /> : <IconLock size={30} />}
          {readerReady ? 'Tap wristband' : 'Enter band number'}
        </button>
      </footer>
    </aside>
  );
}
