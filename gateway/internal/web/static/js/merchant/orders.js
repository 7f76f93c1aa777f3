// The merchant's orders: only this merchant's lines, with a ship action.

import { h, mount, money, dateTime, statusBadge, showError, showInfo, busy } from '../ui.js';
import { session, merchantFirst } from './app.js';

const base = '/api/v1/merchant/orders';

export async function orders() {
  const gate = merchantFirst();
  if (gate) return gate;
  const message = h('div', { class: 'message', hidden: true, id: 'orders-message' });
  const list = h('ul', { class: 'merchant-orders', id: 'merchant-orders' });
  const more = h('button', { type: 'button', class: 'secondary', hidden: true }, 'Load more');
  const reload = h('button', { type: 'button', class: 'secondary' }, 'Refresh');
  let cursor = '';
  const load = async (fresh) => {
    try {
      if (fresh) { cursor = ''; list.replaceChildren(); }
      const page = await session.call('GET', base, { query: { limit: 20, cursor } });
      for (const o of page.items || []) list.append(orderItem(o, message));
      cursor = page.next_cursor || '';
      more.hidden = !cursor;
      if (!list.children.length) list.append(h('li', { class: 'empty' }, 'No orders yet.'));
    } catch (err) {
      showError(message, err);
    }
  };
  more.addEventListener('click', () => busy(more, () => load(false)));
  reload.addEventListener('click', () => busy(reload, () => load(true)));
  await load(true);
  return h('section', {}, h('div', { class: 'dash-head' }, h('h1', {}, 'Orders'), reload), message, list, more);
}

function linesTotal(lines) {
  const currency = lines.length ? lines[0].unit_price.currency : 'USD';
  return { amount: lines.reduce((n, l) => n + l.unit_price.amount * l.quantity, 0), currency };
}

/** The merchant's total: its charge (lines − discount + shipping), else its lines. */
function shareOf(o, lines) {
  const c = (o.merchants || [])[0];
  return c ? c.total : linesTotal(lines);
}

/** " (items $40.00, code SAVE10 −$4.00, shipping $4.99)" when there is more than items. */
function chargeText(o) {
  const c = (o.merchants || [])[0];
  if (!c || (!c.discount.amount && !c.shipping.amount)) return null;
  const parts = [`items ${money(c.subtotal)}`];
  if (c.discount.amount) parts.push(`${c.discount_code ? `code ${c.discount_code} ` : 'discount '}−${money(c.discount)}`);
  if (c.shipping.amount) parts.push(`shipping ${money(c.shipping)}`);
  return h('span', { class: 'muted charge' }, ` (${parts.join(', ')})`);
}

/** " (size: M)" after a line's name, '' for a product without variants. */
function withOptions(line) {
  const o = line.variant_options;
  if (!o || typeof o !== 'object' || !Object.keys(o).length) return '';
  return ` (${Object.entries(o).map(([name, value]) => `${name}: ${value}`).join(', ')})`;
}

function allShipped(o) {
  return o.status === 'shipped' || (o.lines || []).every((l) => l.shipped_at);
}

function orderItem(o, message) {
  const lines = o.lines || [];
  const a = o.shipping_address || {};
  const item = h('li', { class: 'panel order-card', 'data-order-id': o.id });
  const ship = h('button', { type: 'button', class: 'ship' }, 'Mark as shipped');
  ship.addEventListener('click', () => busy(ship, async () => {
    try {
      const answer = await session.call('POST', `${base}/${encodeURIComponent(o.id)}/ship`);
      const updated = answer && answer.id ? answer : { ...o, lines: lines.map((l) => ({ ...l, shipped_at: new Date().toISOString() })) };
      item.replaceWith(orderItem(updated, message));
      showInfo(message, `Order #${o.id.slice(-8).toUpperCase()} is marked as shipped.`);
    } catch (err) {
      showError(message, err);
    }
  }));
  const shipped = allShipped(o);
  return mount(item,
    h('div', { class: 'order-card-head' },
      h('strong', {}, `#${o.id.slice(-8).toUpperCase()}`),
      h('span', { class: 'muted' }, dateTime(o.created_at)),
      statusBadge(shipped && o.status === 'paid' ? 'shipped' : o.status)),
    h('ul', { class: 'plain' }, lines.map((l) => h('li', {}, `${l.quantity} × ${l.name}${withOptions(l)} · ${money({ amount: l.unit_price.amount * l.quantity, currency: l.unit_price.currency })}`))),
    h('p', {}, 'Your share: ', h('strong', {}, money(shareOf(o, lines))), chargeText(o),
      h('span', { class: 'muted' }, ` · to ${[a.name, a.city, a.country].filter(Boolean).join(', ')}`)),
    o.status === 'paid' && !shipped ? h('p', { class: 'actions' }, ship) : null);
}
