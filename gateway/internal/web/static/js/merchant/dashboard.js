// The live sales dashboard: a summary from the orders service, kept up to
// date by its event stream.

import { h, mount, money, timeOnly, statusBadge } from '../ui.js';
import { session, merchantFirst } from './app.js';
import { streamEvents } from './sse.js';

const stateLabels = {
  connecting: 'Connecting…', live: 'Live', reconnecting: 'Reconnecting…', 'signed-out': 'Signed out',
};

export function dashboard({ signal }) {
  const gate = merchantFirst();
  if (gate) return gate;
  const live = h('span', { class: 'live live-connecting', id: 'live-state' }, stateLabels.connecting);
  const announce = h('p', { class: 'visually-hidden', role: 'status', 'aria-live': 'polite', id: 'sale-announce' });
  const body = h('div', { id: 'dashboard-body' }, h('p', { class: 'loading' }, 'Loading today’s sales…'));
  let last = null;
  streamEvents('/api/v1/merchant/analytics/stream', {
    session,
    signal,
    onState: (s) => { live.textContent = stateLabels[s] || s; live.className = `live live-${s}`; },
    onEvent: (name, data) => {
      if (name === 'summary') {
        last = data;
        mount(body, render(data));
      } else if (name === 'sale') {
        announce.textContent = `New sale: ${money(data.total)}, ${data.items} items.`;
        if (last) highlight(body, data.order_id);
      }
    },
  });
  return h('section', { class: 'dashboard' },
    h('div', { class: 'dash-head' }, h('h1', {}, 'Today’s sales'), live),
    announce, body);
}

function highlight(body, orderID) {
  requestAnimationFrame(() => {
    const row = body.querySelector(`[data-order-id="${CSS.escape(orderID)}"]`);
    if (row) row.classList.add('fresh');
  });
}

function revenueText(list) {
  if (!list || !list.length) return money({ amount: 0, currency: 'USD' });
  return list.map(money).join(' + ');
}

function render(s) {
  const perMinute = s.orders_per_minute || [];
  return h('div', {},
    h('div', { class: 'stats' },
      stat('Orders today', String(s.orders_today), 'orders-today'),
      stat('Revenue today', revenueText(s.revenue_today), 'revenue-today'),
      stat('Units sold today', String(s.units_today), 'units-today'),
      stat('Orders in the last hour', String(s.orders_last_hour), 'orders-hour')),
    h('section', { class: 'panel' }, h('h2', {}, 'Orders per minute (last 60 minutes)'), chart(perMinute)),
    h('div', { class: 'two-col' },
      h('section', { class: 'panel' }, h('h2', {}, 'Top products'), topProducts(s.top_products || [])),
      h('section', { class: 'panel' }, h('h2', {}, 'Latest orders'), latestOrders(s.latest_orders || []))));
}

function stat(label, value, id) {
  return h('div', { class: 'stat' }, h('p', { class: 'stat-label', id: `${id}-label` }, label),
    h('p', { class: 'stat-value', id, 'aria-labelledby': `${id}-label ${id}` }, value));
}

const svgNS = 'http://www.w3.org/2000/svg';

function svg(tag, attrs, ...children) {
  const el = document.createElementNS(svgNS, tag);
  for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, String(v));
  el.append(...children);
  return el;
}

function chart(points) {
  const max = Math.max(1, ...points.map((p) => p.orders));
  const width = 600;
  const height = 120;
  const bar = width / Math.max(points.length, 1);
  const total = points.reduce((n, p) => n + p.orders, 0);
  const bars = points.map((p, i) => {
    const hgt = (p.orders / max) * (height - 16);
    const rect = svg('rect', { x: i * bar + 1, y: height - hgt, width: Math.max(bar - 2, 1), height: hgt, rx: 1, class: 'bar' });
    rect.append(svg('title', {}, `${timeOnly(p.minute)}: ${p.orders} orders`));
    return rect;
  });
  return h('figure', { class: 'chart' },
    svg('svg', { viewBox: `0 0 ${width} ${height}`, role: 'img', 'aria-label': `${total} orders in the last 60 minutes, at most ${max === 1 && total === 0 ? 0 : max} in one minute`, preserveAspectRatio: 'none' },
      svg('line', { x1: 0, y1: height - 0.5, x2: width, y2: height - 0.5, class: 'axis' }), ...bars),
    h('figcaption', { class: 'chart-axis' }, h('span', {}, '60 min ago'), h('span', {}, 'now')));
}

function topProducts(items) {
  if (!items.length) return h('p', { class: 'empty' }, 'No sales yet today.');
  return h('table', { class: 'table', id: 'top-products' },
    h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, 'Product'), h('th', { scope: 'col', class: 'num' }, 'Units'), h('th', { scope: 'col', class: 'num' }, 'Revenue'))),
    h('tbody', {}, items.map((p) => h('tr', { 'data-product-id': p.product_id },
      h('td', {}, p.name), h('td', { class: 'num' }, String(p.quantity)), h('td', { class: 'num' }, money(p.revenue))))));
}

function latestOrders(items) {
  if (!items.length) return h('p', { class: 'empty' }, 'Sales will appear here the moment they happen.');
  return h('ul', { class: 'feed', id: 'latest-orders' }, items.map((o) => h('li', { 'data-order-id': o.order_id },
    h('span', { class: 'muted' }, timeOnly(o.paid_at)),
    h('span', { class: 'feed-lines' }, (o.lines || []).map((l) => `${l.quantity} × ${l.name}`).join(', ')),
    h('strong', {}, money(o.total)),
    statusBadge(o.status))));
}
