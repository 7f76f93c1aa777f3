// The cart and the checkout.

import { request } from '../api.js';
import { h, mount, money, field, showError, busy, formValues } from '../ui.js';
import { session, signInFirst, go, refreshCartCount } from './app.js';
import * as track from './track.js';

/** The cart with quantities that can be changed. */
export async function cart() {
  const gate = signInFirst('see your cart');
  if (gate) return gate;
  const message = h('div', { class: 'message', hidden: true });
  const body = h('div', {});
  const view = h('section', { class: 'panel' }, h('h1', {}, 'Your cart'), message, body);
  const render = (c) => {
    refreshCartCount(c);
    const items = c.items || [];
    if (!items.length) {
      mount(body, h('p', { class: 'empty' }, 'Your cart is empty. ', h('a', { href: '/search' }, 'Browse products')));
      return;
    }
    mount(body,
      h('ul', { class: 'lines', 'aria-label': 'Cart items' }, items.map((it) => cartLine(it, message, render))),
      h('p', { class: 'total' }, 'Total ', h('strong', { id: 'cart-total' }, money(c.total))),
      h('p', { class: 'actions' },
        h('a', { class: 'button', href: '/checkout', id: 'to-checkout' }, 'Check out'),
        h('button', {
          type: 'button', class: 'secondary',
          onclick: async () => {
            try { await session.call('DELETE', '/api/v1/cart'); render(await session.call('GET', '/api/v1/cart')); } catch (err) { showError(message, err); }
          },
        }, 'Empty cart')));
  };
  render(await session.call('GET', '/api/v1/cart'));
  return view;
}

function cartLine(it, message, render) {
  const id = `qty-${it.product_id}`;
  const qty = h('input', { id, type: 'number', min: 0, max: 999, value: it.quantity, inputmode: 'numeric' });
  const set = async (n) => {
    try {
      await session.call('PUT', `/api/v1/cart/items/${encodeURIComponent(it.product_id)}`, { body: { quantity: n } });
      render(await session.call('GET', '/api/v1/cart'));
    } catch (err) {
      showError(message, err);
    }
  };
  qty.addEventListener('change', () => set(Number(qty.value)));
  return h('li', { class: 'line', 'data-product-id': it.product_id },
    h('a', { class: 'line-name', href: `/product/${encodeURIComponent(it.product_id)}` }, it.name),
    h('span', { class: 'muted' }, `${money(it.unit_price)} each`),
    h('span', { class: 'field qty' }, h('label', { for: id }, 'Quantity'), qty),
    h('span', { class: 'line-total' }, money(it.line_total)),
    h('button', { type: 'button', class: 'link', onclick: () => set(0), 'aria-label': `Remove ${it.name}` }, 'Remove'));
}

/** Stripe's test payment methods, offered when no publishable key is set. */
const testMethods = [
  ['pm_card_visa', 'Visa ending 4242 (succeeds)'],
  ['pm_card_mastercard', 'Mastercard ending 4444 (succeeds)'],
  ['pm_card_chargeDeclined', 'Card that is declined'],
  ['pm_card_chargeDeclinedInsufficientFunds', 'Card with insufficient funds'],
  ['pm_card_authenticationRequired', 'Card that requires authentication'],
];

let configPromise = null;

function siteConfig() {
  configPromise ||= request('GET', '/config.json').catch(() => ({}));
  return configPromise;
}

/** A fresh idempotency key for one checkout attempt. */
function newKey() {
  if (crypto.randomUUID) return crypto.randomUUID();
  const b = crypto.getRandomValues(new Uint8Array(16));
  return Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
}

/** The checkout: shipping address, payment method, place order. */
export async function checkout() {
  const gate = signInFirst('check out');
  if (gate) return gate;
  const [c, config] = await Promise.all([session.call('GET', '/api/v1/cart'), siteConfig()]);
  if (!(c.items || []).length) {
    return h('section', { class: 'panel' }, h('h1', {}, 'Checkout'),
      h('p', { class: 'empty' }, 'Your cart is empty. ', h('a', { href: '/search' }, 'Browse products')));
  }
  track.checkoutStarted(c.items);
  const saved = (session.user.addresses || [])[0] || {};
  const a = (name, label, opts = {}) => field(label, { name: `shipping_address.${name}`, value: saved[name] || '', ...opts });
  const payment = await paymentFieldset(config.stripe_publishable_key);
  const message = h('div', { class: 'message', hidden: true });
  const place = h('button', { type: 'submit', id: 'place-order' }, `Place order · ${money(c.total)}`);
  const form = h('form', { class: 'checkout', novalidate: true },
    h('fieldset', {},
      h('legend', {}, 'Shipping address'),
      a('name', 'Full name', { autocomplete: 'name', required: true, value: saved.name || session.user.name || '' }),
      a('line1', 'Address line 1', { autocomplete: 'address-line1', required: true }),
      a('line2', 'Address line 2 (optional)', { autocomplete: 'address-line2' }),
      h('div', { class: 'row' },
        a('city', 'City', { autocomplete: 'address-level2', required: true }),
        a('region', 'Region / state', { autocomplete: 'address-level1' })),
      h('div', { class: 'row' },
        a('postal_code', 'Postal code', { autocomplete: 'postal-code', required: true }),
        a('country', 'Country (2 letters)', { autocomplete: 'country', required: true, maxlength: 2, value: saved.country || 'US' }))),
    payment.element,
    message,
    h('p', { class: 'actions' }, place));

  let key = newKey();
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    busy(place, async () => {
      place.textContent = 'Placing order…';
      try {
        const v = formValues(form);
        const address = {};
        for (const [k, val] of Object.entries(v)) {
          if (k.startsWith('shipping_address.')) address[k.slice(17)] = k.endsWith('country') ? val.toUpperCase() : val;
        }
        const method = await payment.method(v);
        const order = await session.call('POST', '/api/v1/checkout', {
          body: { payment_method: method, shipping_address: address },
          headers: { 'Idempotency-Key': key },
        });
        refreshCartCount();
        go(`/orders/${encodeURIComponent(order.id)}`);
      } catch (err) {
        // The same key again is safe after a lost answer; after a refusal
        // the corrected request is a new attempt.
        if (err.status >= 400 && err.status < 500) key = newKey();
        showError(message, err, form);
      }
    });
  });

  return h('section', { class: 'panel' },
    h('h1', {}, 'Checkout'),
    h('div', { class: 'checkout-layout' },
      form,
      h('aside', { class: 'summary', 'aria-label': 'Order summary' },
        h('h2', {}, 'Summary'),
        h('ul', { class: 'summary-lines' }, c.items.map((it) => h('li', {},
          h('span', {}, `${it.quantity} × ${it.name}`), h('span', {}, money(it.line_total))))),
        h('p', { class: 'total' }, 'Total ', h('strong', {}, money(c.total))))));
}

/**
 * The payment part of the form: Stripe Elements when a publishable key is
 * configured (Stripe.js is loaded only then), else a choice of Stripe's
 * test payment methods. method(values) resolves to a PaymentMethod id.
 */
async function paymentFieldset(publishableKey) {
  if (!publishableKey) {
    const options = testMethods.map(([id, label], i) => h('div', { class: 'radio' },
      h('input', { type: 'radio', name: 'payment_method', id: `pm-${id}`, value: id, checked: i === 0 }),
      h('label', { for: `pm-${id}` }, label)));
    return {
      element: h('fieldset', {}, h('legend', {}, 'Payment (test mode)'),
        h('p', { class: 'hint' }, 'No real card is charged. Pick one of Stripe’s test cards.'), options),
      method: async (v) => v.payment_method,
    };
  }
  const stripe = await loadStripe(publishableKey);
  const mountPoint = h('div', { id: 'card-element', class: 'card-element' });
  const card = stripe.elements().create('card');
  // Elements mounts into a node that is in the document: wait for the view.
  const tryMount = () => (mountPoint.isConnected ? card.mount(mountPoint) : requestAnimationFrame(tryMount));
  requestAnimationFrame(tryMount);
  return {
    element: h('fieldset', {}, h('legend', {}, 'Payment'), h('label', { for: 'card-element' }, 'Card'), mountPoint),
    method: async (v) => {
      const { paymentMethod, error } = await stripe.createPaymentMethod({
        type: 'card', card, billing_details: { name: v['shipping_address.name'] },
      });
      if (error) throw { detail: error.message, errors: [] };
      return paymentMethod.id;
    },
  };
}

function loadStripe(key) {
  return new Promise((resolve, reject) => {
    if (window.Stripe) { resolve(window.Stripe(key)); return; }
    const s = document.createElement('script');
    s.src = 'https://js.stripe.com/v3';
    s.onload = () => resolve(window.Stripe(key));
    s.onerror = () => reject(new Error('Could not load the card form from Stripe. Please try again.'));
    document.head.append(s);
  });
}
