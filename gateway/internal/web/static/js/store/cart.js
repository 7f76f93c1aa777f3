// The cart: lines grouped by the shop that sells them, each shop's
// subtotal, discount code and shipping quote, and the code field.

import { h, mount, money, showError, showInfo, busy, clearErrors } from '../ui.js';
import { session, signInFirst, refreshCartCount, catalog } from './app.js';
import { lineOptions, lineHref } from './variants.js';

/** Which merchant sells a product, learnt from the catalog once per page load. */
const merchantOf = new Map();

async function learnMerchants(items) {
  const unknown = items.filter((it) => !merchantOf.has(it.product_id));
  await Promise.all(unknown.map(async (it) => {
    try {
      const p = await catalog(`/api/v1/products/${encodeURIComponent(it.product_id)}`);
      merchantOf.set(it.product_id, p.merchant_id);
    } catch { /* shown outside the shops' groups */ }
  }));
}

/** "−$2.00": an amount taken off. */
function minus(m) { return `−${money(m)}`; }

/** The cart with quantities that can be changed and a discount code field. */
export async function cart() {
  const gate = signInFirst('see your cart');
  if (gate) return gate;
  const message = h('div', { class: 'message', hidden: true });
  const body = h('div', {});
  const view = h('section', { class: 'panel' }, h('h1', {}, 'Your cart'), message, body);
  const codeMessage = h('div', { class: 'message', hidden: true, id: 'discount-message' });
  const codeInput = h('input', { id: 'discount-code', name: 'code', autocomplete: 'off', autocapitalize: 'characters', maxlength: 32, placeholder: 'e.g. SPRING10' });
  const apply = h('button', { type: 'submit', class: 'secondary', id: 'apply-code' }, 'Apply');
  const codeForm = h('form', { class: 'code-form', novalidate: true, id: 'discount-form' },
    h('div', { class: 'field' }, h('label', { for: 'discount-code' }, 'Discount code'), h('span', { class: 'inline-form' }, codeInput, apply)),
    codeMessage);

  const render = async (c) => {
    refreshCartCount(c);
    const items = c.items || [];
    if (!items.length) {
      mount(body, h('p', { class: 'empty' }, 'Your cart is empty. ', h('a', { href: '/search' }, 'Browse products')));
      return;
    }
    await learnMerchants(items);
    const ctx = { message, render, codeMessage };
    const charges = c.merchants || [];
    const grouped = new Set(charges.map((m) => m.merchant_id));
    const loose = items.filter((it) => !grouped.has(merchantOf.get(it.product_id)));
    mount(body,
      loose.length ? h('ul', { class: 'lines', 'aria-label': 'Cart items' }, loose.map((it) => cartLine(it, ctx))) : null,
      charges.map((m, i) => merchantGroup(m, i, charges.length, items.filter((it) => merchantOf.get(it.product_id) === m.merchant_id), ctx)),
      codeForm,
      h('dl', { class: 'totals', id: 'cart-totals' },
        h('dt', {}, 'Subtotal'), h('dd', { id: 'cart-subtotal' }, money(c.subtotal)),
        c.discount && c.discount.amount > 0 ? [h('dt', {}, 'Discounts'), h('dd', { id: 'cart-discount', class: 'discount' }, minus(c.discount))] : null,
        c.shipping ? [h('dt', {}, 'Shipping'), h('dd', { id: 'cart-shipping' }, c.shipping.amount > 0 ? money(c.shipping) : 'Free')] : null,
        h('dt', { class: 'grand' }, 'Total'), h('dd', { class: 'grand' }, h('strong', { id: 'cart-total' }, money(c.total)))),
      h('p', { class: 'actions' },
        h('a', { class: 'button', href: '/checkout', id: 'to-checkout' }, 'Check out'),
        h('button', {
          type: 'button', class: 'secondary',
          onclick: async () => {
            try { await session.call('DELETE', '/api/v1/cart'); await render(await session.call('GET', '/api/v1/cart')); } catch (err) { showError(message, err); }
          },
        }, 'Empty cart')));
  };

  codeForm.addEventListener('submit', (e) => {
    e.preventDefault();
    const code = codeInput.value.trim();
    if (!code) {
      showError(codeMessage, { detail: 'Enter a discount code.', errors: [{ field: 'code', message: 'Enter the code you were given' }] }, codeForm);
      return;
    }
    busy(apply, async () => {
      try {
        const c = await session.call('POST', '/api/v1/cart/discount', { body: { code } });
        clearErrors(codeForm);
        codeInput.value = '';
        await render(c || await session.call('GET', '/api/v1/cart'));
        showInfo(codeMessage, `Code ${code.toUpperCase()} applied.`);
      } catch (err) {
        showError(codeMessage, err, codeForm);
      }
    });
  });

  await render(await session.call('GET', '/api/v1/cart'));
  return view;
}

/** One shop's lines and charge: subtotal, discount, shipping, total. */
function merchantGroup(m, index, count, items, ctx) {
  const title = count > 1 ? `Shop ${index + 1} of ${count}` : 'Your items';
  const rows = [h('dt', {}, 'Subtotal'), h('dd', { class: 'merchant-subtotal' }, money(m.subtotal))];
  if (m.discount_code) {
    const remove = h('button', { type: 'button', class: 'link remove-code', 'aria-label': `Remove code ${m.discount_code}` }, 'Remove');
    remove.addEventListener('click', () => busy(remove, async () => {
      try {
        const c = await session.call('DELETE', `/api/v1/cart/discount/${encodeURIComponent(m.discount_code)}`);
        await ctx.render(c || await session.call('GET', '/api/v1/cart'));
        showInfo(ctx.codeMessage, `Code ${m.discount_code} removed.`);
      } catch (err) {
        showError(ctx.message, err);
      }
    }));
    rows.push(h('dt', {}, 'Discount ', h('span', { class: 'code-tag' }, m.discount_code), ' ', remove));
    rows.push(m.discount_error
      ? h('dd', { class: 'merchant-discount discount-error', role: 'note' }, m.discount_error.detail)
      : h('dd', { class: 'merchant-discount discount' }, minus(m.discount)));
  }
  rows.push(h('dt', {}, 'Shipping'));
  if (m.shipping_error) rows.push(h('dd', { class: 'merchant-shipping shipping-error', role: 'note' }, m.shipping_error.detail));
  else rows.push(h('dd', { class: 'merchant-shipping' }, m.shipping.amount > 0 ? money(m.shipping) : 'Free'));
  rows.push(h('dt', {}, 'Shop total'), h('dd', { class: 'merchant-total' }, h('strong', {}, money(m.total))));
  return h('section', { class: 'merchant-group', 'data-merchant-id': m.merchant_id, 'aria-label': title },
    h('h2', {}, title),
    h('ul', { class: 'lines', 'aria-label': `Items of ${title}` }, items.map((it) => cartLine(it, ctx))),
    h('dl', { class: 'totals merchant-totals' }, rows));
}

function cartLine(it, { message, render }) {
  const id = `qty-${it.product_id}`;
  const qty = h('input', { id, type: 'number', min: 0, max: 999, value: it.quantity, inputmode: 'numeric' });
  const set = async (n) => {
    try {
      await session.call('PUT', `/api/v1/cart/items/${encodeURIComponent(it.product_id)}`, { body: { quantity: n } });
      await render(await session.call('GET', '/api/v1/cart'));
    } catch (err) {
      showError(message, err);
    }
  };
  qty.addEventListener('change', () => set(Number(qty.value)));
  const off = it.discount && it.discount.amount > 0;
  return h('li', { class: 'line', 'data-product-id': it.product_id },
    h('span', { class: 'line-item' }, h('a', { class: 'line-name', href: lineHref(it) }, it.name), lineOptions(it)),
    h('span', { class: 'muted' }, `${money(it.unit_price)} each`),
    h('span', { class: 'field qty' }, h('label', { for: id }, 'Quantity'), qty),
    h('span', { class: 'line-total' }, money(it.line_total),
      off ? h('span', { class: 'line-discount discount' }, `${minus(it.discount)} off`) : null),
    h('button', { type: 'button', class: 'link', onclick: () => set(0), 'aria-label': `Remove ${it.name}` }, 'Remove'));
}
