import assert from 'node:assert/strict';
import { test } from 'node:test';
import { addToCart, cartTotal, itemCount, MAX_QUANTITY, quantityOf, reconcileWithMenu, removeLine, sellLines, setQuantity } from '../logic/cart.ts';
import { DECLINE_TITLES, groupCode } from '../logic/words.ts';
import { normaliseHubAddress } from '../logic/hub-address.ts';

const pils = { id: 'beer-pils', name: 'Pils 0.5 l', price: 550 };
const mojito = { id: 'cocktail-mojito', name: 'Mojito', price: 1100 };

test('adding the same product twice makes one line with both', () => {
  const cart = addToCart(addToCart([], pils), pils);
  assert.deepEqual(cart, [{ productId: 'beer-pils', name: 'Pils 0.5 l', price: 550, quantity: 2 }]);
  assert.equal(cartTotal(cart), 1100);
});

test('the total is the sum of price × quantity in minor units', () => {
  const cart = addToCart(addToCart([], pils, 3), mojito);
  assert.equal(cartTotal(cart), 3 * 550 + 1100);
  assert.equal(itemCount(cart), 4);
  assert.equal(cartTotal([]), 0);
});

test('a quantity of zero removes the line; quantities stop at the API cap', () => {
  const cart = addToCart(addToCart([], pils), mojito);
  assert.deepEqual(setQuantity(cart, 'beer-pils', 0).map((l) => l.productId), ['cocktail-mojito']);
  assert.equal(quantityOf(setQuantity(cart, 'beer-pils', 5000), 'beer-pils'), MAX_QUANTITY);
  assert.equal(quantityOf(addToCart(setQuantity(cart, 'beer-pils', MAX_QUANTITY), pils), 'beer-pils'), MAX_QUANTITY);
  assert.deepEqual(removeLine(cart, 'cocktail-mojito').map((l) => l.productId), ['beer-pils']);
});

test('the sell call gets product ids and quantities only, in cart order', () => {
  const cart = addToCart(addToCart([], mojito, 2), pils);
  assert.deepEqual(sellLines(cart), [
    { productId: 'cocktail-mojito', quantity: 2 },
    { productId: 'beer-pils', quantity: 1 },
  ]);
});

test('a new menu drops products that left it and updates prices', () => {
  const cart = addToCart(addToCart([], pils, 2), mojito);
  const next = reconcileWithMenu(cart, new Map([['beer-pils', { name: 'Pils 0.5 l', price: 600 }]]));
  assert.deepEqual(next, [{ productId: 'beer-pils', name: 'Pils 0.5 l', price: 600, quantity: 2 }]);
  assert.equal(cartTotal(next), 1200);
});

test('every decline reason has a title, and codes are grouped like the hub shows them', () => {
  for (const reason of ['unknown_band', 'blocked', 'over_limit', 'offline_allowance', 'offline_terminal_total'] as const) {
    assert.ok(DECLINE_TITLES[reason].length > 0, reason);
  }
  assert.equal(groupCode('170376'), '170 376');
});

test('a hub address typed without a scheme gets http://', () => {
  assert.equal(normaliseHubAddress(' 192.168.1.10:4300 '), 'http://192.168.1.10:4300');
  assert.equal(normaliseHubAddress('https://hub.example:4300'), 'https://hub.example:4300');
});
