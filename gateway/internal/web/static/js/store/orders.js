// The order page (live until the order settles) and the order history.

import { h, mount, money, dateTime, statusBadge, cancelReasonText, showError, busy } from '../ui.js';
import { session, signInFirst } from './app.js';
import { lineOptions, lineHref } from './variants.js';

/** Statuses after which nothing happens without the shopper. */
const settled = new Set(['paid', 'shipped', 'cancelled', 'refunded']);

/** How often a pending order is fetched again. */
const pollInterval = 500;

function sleep(ms, signal) {
  return new Promise((resolve) => {
    const t = setTimeout(resolve, ms);
    signal.addEventListener('abort', () => { clearTimeout(t); resolve(); }, { once: true });
  });
}

function statusText(o) {
  switch (o.status) {
    case 'pending': return 'We are reserving your items…';
    case 'awaiting_payment': return 'Waiting for your payment to be confirmed…';
    case 'paid': return 'Payment received. Thank you, your order is confirmed!';
    case 'shipped': return 'Your order is on its way.';
    case 'refunded': return 'This order was cancelled and refunded.';
    case 'cancelled': return cancelReasonText(o.cancel_reason);
    default: return '';
  }
}

/** One order, fetched again every 500 ms until it settles. */
export async function order({ match, signal }) {
  const gate = signInFirst('see your orders');
  if (gate) return gate;
  const id = decodeURIComponent(match[1]);
  const path = `/api/v1/orders/${encodeURIComponent(id)}`;
  let o = await session.call('GET', path);
  let cancelling = false;

  const status = h('div', { class: 'order-status', role: 'status', 'aria-live': 'polite', id: 'order-status' });
  const message = h('div', { class: 'message', hidden: true });
  const cancel = h('button', { type: 'button', class: 'danger', id: 'cancel-order' }, 'Cancel order');
  const details = h('div', {});

  const render = () => {
    const final = o.status === 'cancelled' || o.status === 'refunded';
    mount(status,
      h('p', { class: 'status-line' }, statusBadge(o.status), h('span', { class: 'payment muted' }, paymentText(o.payment_status))),
      h('p', { class: `status-text ${final ? 'status-bad' : ''}`, id: 'status-text' }, statusText(o)),
      settled.has(o.status) ? null : h('div', { class: 'progress', 'aria-hidden': 'true' }, h('span', {})));
    cancel.hidden = !['pending', 'awaiting_payment', 'paid'].includes(o.status) || cancelling;
    mount(details, orderDetails(o));
  };

  cancel.addEventListener('click', () => {
    const note = o.status === 'paid' ? ' Your payment will be refunded.' : '';
    if (!window.confirm(`Cancel this order?${note}`)) return;
    busy(cancel, async () => {
      try {
        o = (await session.call('POST', `${path}/cancel`)) || o;
        cancelling = true;
        render();
        poll();
      } catch (err) {
        showError(message, err);
      }
    });
  });

  const waiting = () => !settled.has(o.status) || (cancelling && o.status !== 'cancelled' && o.status !== 'refunded');
  let polling = false;
  const poll = async () => {
    if (polling) return;
    polling = true;
    let delay = pollInterval;
    while (!signal.aborted && waiting()) {
      await sleep(delay, signal);
      if (signal.aborted) break;
      try {
        o = await session.call('GET', path);
        delay = pollInterval;
        message.hidden = true;
        render();
      } catch (err) {
        delay = Math.min(delay * 2, 5000);
        showError(message, err);
      }
    }
    polling = false;
  };

  render();
  poll();
  return h('section', { class: 'panel order-page', 'data-order-id': o.id },
    h('h1', {}, `Order ${shortId(o.id)}`),
    h('p', { class: 'muted' }, `Placed ${dateTime(o.created_at)}`),
    status, message,
    h('p', { class: 'actions' }, cancel, h('a', { href: '/orders', class: 'button secondary' }, 'All orders')),
    details);
}

function paymentText(ps) {
  return ps ? `Payment: ${String(ps).replace(/_/g, ' ')}` : '';
}

export function shortId(id) { return `#${String(id).slice(-8).toUpperCase()}`; }

function orderDetails(o) {
  const a = o.shipping_address || {};
  return h('div', { class: 'order-details' },
    h('table', { class: 'table' },
      h('caption', { class: 'visually-hidden' }, 'Items'),
      h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, 'Item'), h('th', { scope: 'col' }, 'Qty'), h('th', { scope: 'col', class: 'num' }, 'Price'))),
      h('tbody', {}, (o.lines || []).map((l) => h('tr', {},
        h('td', { class: 'line-item' }, h('a', { href: lineHref(l) }, l.name), lineOptions(l),
          l.discount && l.discount.amount > 0 ? h('span', { class: 'line-discount discount' }, `−${money(l.discount)} off`) : null),
        h('td', {}, String(l.quantity)),
        h('td', { class: 'num' }, money({ amount: l.unit_price.amount * l.quantity, currency: l.unit_price.currency }))))),
      h('tfoot', {}, orderTotals(o))),
    h('div', { class: 'address' }, h('h2', {}, 'Shipping to'),
      h('address', {}, [a.name, a.line1, a.line2, [a.postal_code, a.city].filter(Boolean).join(' '), a.region, a.country]
        .filter(Boolean).flatMap((t) => [t, h('br')]))));
}

/** The foot of an order's table: subtotal, discounts (with codes), shipping, total. */
function orderTotals(o) {
  const row = (label, value, id) => h('tr', {}, h('th', { scope: 'row', colspan: 2 }, label), h('td', { class: 'num', id }, value));
  const codes = (o.merchants || []).map((m) => m.discount_code).filter(Boolean);
  const rows = [];
  if (o.subtotal) rows.push(row('Subtotal', money(o.subtotal), 'order-subtotal'));
  if (o.discount && o.discount.amount > 0) {
    rows.push(row(codes.length ? `Discount (${codes.join(', ')})` : 'Discount', `−${money(o.discount)}`, 'order-discount'));
  }
  if (o.shipping) rows.push(row('Shipping', o.shipping.amount > 0 ? money(o.shipping) : 'Free', 'order-shipping'));
  rows.push(row('Total', h('strong', {}, money(o.total)), 'order-total'));
  return rows;
}

/** The shopper's orders, newest first, with "load more". */
export async function orders() {
  const gate = signInFirst('see your orders');
  if (gate) return gate;
  const list = h('ul', { class: 'order-list' });
  const message = h('div', { class: 'message', hidden: true });
  const more = h('button', { type: 'button', class: 'secondary', hidden: true }, 'Load more');
  let cursor = '';
  const load = async () => {
    try {
      const page = await session.call('GET', '/api/v1/orders', { query: { limit: 20, cursor } });
      for (const o of page.items || []) {
        list.append(h('li', {},
          h('a', { href: `/orders/${encodeURIComponent(o.id)}` }, shortId(o.id)),
          h('span', { class: 'muted' }, dateTime(o.created_at)),
          h('span', {}, `${(o.lines || []).reduce((n, l) => n + l.quantity, 0)} items`),
          h('strong', {}, money(o.total)),
          statusBadge(o.status)));
      }
      cursor = page.next_cursor || '';
      more.hidden = !cursor;
      if (!list.children.length) list.append(h('li', { class: 'empty' }, 'No orders yet. ', h('a', { href: '/search' }, 'Start shopping')));
    } catch (err) {
      showError(message, err);
    }
  };
  more.addEventListener('click', () => busy(more, load));
  await load();
  return h('section', { class: 'panel' }, h('h1', {}, 'Your orders'), message, list, more);
}
