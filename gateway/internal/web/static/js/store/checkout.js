// The checkout: shipping address (pre-filled with the default saved
// address, the others offered), payment method, place order.

import { request } from '../api.js';
import { h, money, field, showError, busy, formValues } from '../ui.js';
import { session, signInFirst, go, refreshCartCount } from './app.js';
import { savedAddresses, addressFields, addressLine } from './addresses.js';
import * as track from './track.js';
import { optionsText } from './variants.js';

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
  const [c, config, saved] = await Promise.all([session.call('GET', '/api/v1/cart'), siteConfig(), savedAddresses()]);
  if (!(c.items || []).length) {
    return h('section', { class: 'panel' }, h('h1', {}, 'Checkout'),
      h('p', { class: 'empty' }, 'Your cart is empty. ', h('a', { href: '/search' }, 'Browse products')));
  }
  track.checkoutStarted(c.items);
  const first = saved[0] || { name: session.user.name || '', country: 'US' };
  const inputs = addressFields.map(([name, label, opts]) => field(label, {
    name: `shipping_address.${name}`, id: `ship-${name}`, value: first[name] || '', ...opts,
  }));
  const fill = (a) => {
    for (const [name] of addressFields) document.getElementById(`ship-${name}`).value = a[name] || '';
  };
  const picker = saved.length ? field('Saved addresses', {
    id: 'saved-address', value: saved[0].id,
    options: [...saved.map((a) => [a.id, `${a.default ? 'Default: ' : ''}${addressLine(a)}`]), ['', 'A new address']],
  }) : null;
  picker?.querySelector('select').addEventListener('change', (e) => {
    fill(saved.find((a) => a.id === e.target.value) || { country: first.country });
  });
  const payment = await paymentFieldset(config.stripe_publishable_key);
  const message = h('div', { class: 'message', hidden: true });
  const place = h('button', { type: 'submit', id: 'place-order' }, `Place order · ${money(c.total)}`);
  const form = h('form', { class: 'checkout', novalidate: true },
    h('fieldset', {},
      h('legend', {}, 'Shipping address'),
      picker,
      inputs[0], inputs[1], inputs[2],
      h('div', { class: 'row' }, inputs[3], inputs[4]),
      h('div', { class: 'row' }, inputs[5], inputs[6])),
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
          h('span', { class: 'line-item' }, `${it.quantity} × ${it.name}${withOptions(it)}`), h('span', {}, money(it.line_total))))),
        summaryTotals(c))));
}

/** " (size: M)" after a line's name, '' for a product without variants. */
function withOptions(line) {
  const text = optionsText(line.variant_options);
  return text ? ` (${text})` : '';
}

/** Subtotal, discounts, shipping and total of a cart. */
function summaryTotals(c) {
  const row = (label, value, id) => h('li', {}, h('span', {}, label), h('span', { id }, value));
  const errors = (c.merchants || []).flatMap((m) => [m.discount_error, m.shipping_error]).filter(Boolean);
  return h('div', {},
    h('ul', { class: 'summary-lines summary-totals' },
      row('Subtotal', money(c.subtotal), 'summary-subtotal'),
      c.discount && c.discount.amount > 0 ? row('Discounts', `−${money(c.discount)}`, 'summary-discount') : null,
      c.shipping ? row('Shipping', c.shipping.amount > 0 ? money(c.shipping) : 'Free', 'summary-shipping') : null),
    errors.length ? h('ul', { class: 'message message-error', role: 'note' }, errors.map((e) => h('li', {}, e.detail))) : null,
    h('p', { class: 'total' }, 'Total ', h('strong', { id: 'summary-total' }, money(c.total))));
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
