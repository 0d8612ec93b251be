import type { MenuView } from '../../kiosk/api.ts';
import { quantityOf, type Cart } from '../logic/cart.ts';
import { money } from '../logic/money.ts';

export const ALL = '__all__';

type Product = MenuView['categories'][number]['products'][number];

/** Small menus show everything at once (no tab to switch in a rush); big ones start on their first category. */
export function defaultCategory(menu: MenuView): string {
  const count = menu.categories.reduce((n, c) => n + c.products.length, 0);
  return count <= 24 ? ALL : (menu.categories[0]?.name ?? ALL);
}

export function slug(s: string): string {
  return s.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '') || 'x';
}

/** Category hues in menu order, spaced so neighbours never look alike: amber, wine, pink, cyan, orange, violet, lime, blue. */
const PALETTE = [38, 352, 318, 188, 22, 262, 88, 212] as const;

function huesOf(menu: MenuView): Map<string, number> {
  return new Map(menu.categories.map((c, i) => [c.name, PALETTE[i % PALETTE.length] ?? 212]));
}

interface Props {
  menu: MenuView;
  category: string;
  onCategory: (name: string) => void;
  cart: Cart;
  onAdd: (p: Product) => void;
}

export function CategoryTabs({ menu, category, onCategory }: Pick<Props, 'menu' | 'category' | 'onCategory'>) {
  const hues = huesOf(menu);
  const tabs = [{ key: ALL, label: 'All' }, ...menu.categories.map((c) => ({ key: c.name, label: c.name }))];
  return (
    <nav class="category-tabs" role="tablist" data-testid="category-tabs">
      {tabs.map((t) => (
        <button
          type="button"
          role="tab"
          aria-selected={t.key === category}
          class={`tab${t.key === category ? ' is-active' : ''}`}
          data-testid={`category-${t.key === ALL ? 'all' : slug(t.key)}`}
          onClick={() => onCategory(t.key)}
          key={t.key}
        >
          {t.key !== ALL && <span class="cat-dot" style={{ '--hue': String(hues.get(t.key) ?? 212) }} />}
          {t.label}
        </button>
      ))}
    </nav>
  );
}

export function ProductGrid({ menu, category, cart, onAdd }: Omit<Props, 'onCategory'>) {
  const hues = huesOf(menu);
  const shown = menu.categories.filter((c) => category === ALL || c.name === category);
  return (
    <div class="product-grid" data-testid="product-grid">
      {shown.flatMap((c) =>
        c.products.map((p) => {
          const q = quantityOf(cart, p.id);
          return (
            <button
              type="button"
              class={`product${q ? ' in-cart' : ''}`}
              style={{ '--hue': String(hues.get(c.name) ?? 212) }}
              data-testid={`product-${p.id}`}
              data-name={p.name}
              onClick={() => onAdd(p)}
              key={p.id}
            >
              <span class="product-cat">
                <span class="cat-dot" />
                {c.name}
              </span>
              <span class="product-name">{p.name}</span>
              <span class="product-price">{money(p.price, menu.currency)}</span>
              {q > 0 && (
                <span class="product-qty" data-testid={`product-qty-${p.id}`}>
                  {q}
                </span>
              )}
            </button>
          );
        }),
      )}
      {shown.every((c) => c.products.length === 0) && <p class="muted empty-grid">Nothing on this menu yet. The hub sends the menu as soon as head office publishes it.</p>}
    </div>
  );
}
