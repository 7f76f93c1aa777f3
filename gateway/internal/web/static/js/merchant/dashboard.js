// The live dashboard of the analytics service: today's figures against
// yesterday's, revenue and orders per minute, the funnel, top products and
// zero-result searches, kept up to date by its event stream. The chart is
// drawn with uPlot when `make webdeps` put it in /assets/.../vendor (served
// from the gateway, never a CDN), else with the small SVG renderer below.

import { h, mount, money, timeOnly, statusBadge, showError } from '../ui.js';
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
  const body = h('div', { id: 'dashboard-body' }, h('p', { class: 'loading' }, 'Loading today’s figures…'));
  let last = null;
  loadUPlot().then((lib) => { if (lib && last && !signal.aborted) mount(body, render(last)); });
  streamEvents('/api/v1/merchant/analytics/stream', {
    session,
    signal,
    onState: (s) => { live.textContent = stateLabels[s] || s; live.className = `live live-${s}`; },
    onEvent: (name, data) => {
      if (name === 'dashboard') {
        last = data;
        mount(body, render(data));
      } else if (name === 'sale') {
        announce.textContent = `New sale: ${money(data.total)}, ${data.items} items.`;
      }
    },
  });
  return h('section', { class: 'dashboard' },
    h('div', { class: 'dash-head' }, h('h1', {}, 'Today'), live, reportForm()),
    announce, body);
}

// reportForm downloads the sales report as CSV (fetch with the token,
// then a blob link: the token never goes into a URL).
function reportForm() {
  const today = new Date().toISOString().slice(0, 10);
  const monthAgo = new Date(Date.now() - 29 * 864e5).toISOString().slice(0, 10);
  const from = h('input', { type: 'date', name: 'from', value: monthAgo, 'aria-label': 'Report from' });
  const to = h('input', { type: 'date', name: 'to', value: today, 'aria-label': 'Report to' });
  const errors = h('div', { class: 'form-errors' });
  const button = h('button', { type: 'submit', class: 'button', id: 'download-report' }, 'Download CSV');
  const form = h('form', { class: 'report-form', id: 'report-form' }, from, to, button, errors);
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    try {
      const auth = await session.authorization();
      const q = new URLSearchParams({ from: from.value, to: to.value, format: 'csv' });
      const resp = await fetch(`/api/v1/merchant/reports/sales?${q}`, { headers: { Authorization: auth } });
      if (!resp.ok) {
        const problem = await resp.json().catch(() => ({}));
        throw new Error(problem.detail || `report answered ${resp.status}`);
      }
      const url = URL.createObjectURL(await resp.blob());
      const a = h('a', { href: url, download: `sales-${from.value}-to-${to.value}.csv` });
      document.body.append(a);
      a.click();
      a.remove();
      setTimeout(() => URL.revokeObjectURL(url), 10000);
    } catch (err) {
      showError(errors, err);
    }
  });
  return form;
}

function revenueText(list) {
  if (!list || !list.length) return money({ amount: 0, currency: 'USD' });
  return list.map(money).join(' + ');
}

function render(d) {
  return h('div', {},
    h('div', { class: 'stats' },
      stat('Orders today', String(d.orders_today), 'orders-today', `yesterday by now: ${d.yesterday_so_far.orders}`),
      stat('Revenue today', revenueText(d.revenue_today), 'revenue-today', `yesterday by now: ${revenueText(d.yesterday_so_far.revenue)}`),
      stat('Product views', String(d.today.views), 'views-today', `yesterday by now: ${d.yesterday_so_far.views}`),
      stat('Orders in the last hour', String(d.orders_last_hour), 'orders-hour', `yesterday in all: ${d.yesterday.orders}`)),
    h('section', { class: 'panel' }, h('h2', {}, 'Revenue and orders per minute (last 3 hours)'), chart(d.series || [], d.currency)),
    h('div', { class: 'two-col' },
      h('section', { class: 'panel' }, h('h2', {}, 'Funnel today'), funnel(d.funnel || [])),
      h('section', { class: 'panel' }, h('h2', {}, 'Searches that found nothing'), zeroSearches(d.zero_result_searches || []))),
    h('div', { class: 'two-col' },
      h('section', { class: 'panel' }, h('h2', {}, 'Top products'), topProducts(d.top_products || [])),
      h('section', { class: 'panel' }, h('h2', {}, 'Latest orders'), latestOrders(d.latest_orders || []))));
}

function stat(label, value, id, note) {
  return h('div', { class: 'stat' }, h('p', { class: 'stat-label', id: `${id}-label` }, label),
    h('p', { class: 'stat-value', id, 'aria-labelledby': `${id}-label ${id}` }, value),
    h('p', { class: 'stat-note muted' }, note));
}

const svgNS = 'http://www.w3.org/2000/svg';

function svg(tag, attrs, ...children) {
  const el = document.createElementNS(svgNS, tag);
  for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, String(v));
  el.append(...children);
  return el;
}

// uPlot is the charting library when present (see vendor/README.md).
let uplot = null;
let uplotLoading = null;
let plot = null;

function loadUPlot() {
  if (!uplotLoading) {
    const base = new URL('../../vendor/', import.meta.url);
    uplotLoading = import(new URL('uPlot.esm.js', base).href).then((m) => {
      document.head.append(h('link', { rel: 'stylesheet', href: new URL('uPlot.min.css', base).href }));
      uplot = m.default;
      return uplot;
    }).catch(() => null); // absent: the SVG renderer draws the chart
  }
  return uplotLoading;
}

// chart draws revenue (left scale) and orders (right scale) per minute;
// data-points counts the minutes with orders, whichever renderer drew it.
function chart(points, currency) {
  const withOrders = points.filter((p) => p.orders > 0).length;
  if (!uplot) return svgChart(points, currency, withOrders);
  const holder = h('div', { class: 'uplot-holder' });
  const fig = h('figure', { class: 'chart', id: 'sales-chart', 'data-points': String(withOrders), 'data-renderer': 'uplot' }, holder);
  const data = [
    points.map((p) => Date.parse(p.minute) / 1000),
    points.map((p) => p.revenue / 100),
    points.map((p) => p.orders),
  ];
  requestAnimationFrame(() => {
    if (plot) plot.destroy();
    plot = new uplot({
      width: Math.max(holder.clientWidth, 300),
      height: 180,
      scales: { x: { time: true }, rev: { auto: true }, n: { auto: true } },
      axes: [{}, { scale: 'rev', label: currency }, { scale: 'n', side: 1, label: 'orders', grid: { show: false } }],
      series: [
        {},
        { label: `revenue (${currency})`, scale: 'rev', stroke: '#2563eb', width: 2 },
        { label: 'orders', scale: 'n', stroke: '#b45309', width: 1, dash: [4, 3],
          // A point for each minute with orders only.
          points: { show: true, size: 6, fill: '#b45309', filter: (u, si) => u.data[si].flatMap((v, i) => (v > 0 ? [i] : [])) } },
      ],
    }, data, holder);
  });
  return fig;
}

function svgChart(points, currency, withOrders) {
  const width = 720;
  const height = 160;
  const pad = 6;
  const n = Math.max(points.length - 1, 1);
  const maxRevenue = Math.max(1, ...points.map((p) => p.revenue));
  const maxOrders = Math.max(1, ...points.map((p) => p.orders));
  const x = (i) => pad + (i / n) * (width - 2 * pad);
  const y = (v, max) => height - pad - (v / max) * (height - 2 * pad);
  const path = (key, max) => points.map((p, i) => `${i ? 'L' : 'M'}${x(i).toFixed(1)},${y(p[key], max).toFixed(1)}`).join('');
  const marks = [];
  points.forEach((p, i) => {
    if (!p.orders) return;
    const dot = svg('circle', { cx: x(i).toFixed(1), cy: y(p.orders, maxOrders).toFixed(1), r: 3, class: 'point', 'data-minute': p.minute, 'data-orders': p.orders });
    dot.append(svg('title', {}, `${timeOnly(p.minute)}: ${p.orders} orders, ${money({ amount: p.revenue, currency })}`));
    marks.push(dot);
  });
  const totalOrders = points.reduce((s, p) => s + p.orders, 0);
  const totalRevenue = points.reduce((s, p) => s + p.revenue, 0);
  return h('figure', { class: 'chart', id: 'sales-chart', 'data-points': String(withOrders), 'data-renderer': 'svg' },
    svg('svg', { viewBox: `0 0 ${width} ${height}`, role: 'img', preserveAspectRatio: 'none',
      'aria-label': `${totalOrders} orders and ${money({ amount: totalRevenue, currency })} in the last 3 hours` },
    svg('line', { x1: 0, y1: height - 0.5, x2: width, y2: height - 0.5, class: 'axis' }),
    svg('path', { d: path('revenue', maxRevenue), class: 'line revenue', fill: 'none' }),
    svg('path', { d: path('orders', maxOrders), class: 'line orders', fill: 'none' }),
    ...marks),
    h('figcaption', { class: 'chart-axis' },
      h('span', {}, points.length ? timeOnly(points[0].minute) : ''),
      h('span', { class: 'legend' }, h('span', { class: 'key revenue' }, `revenue (max ${money({ amount: maxRevenue, currency })}/min)`),
        ' ', h('span', { class: 'key orders' }, `orders (max ${maxOrders}/min)`)),
      h('span', {}, 'now')));
}

const stepLabels = { viewed: 'Viewed a product', added_to_cart: 'Added to cart', checkout_started: 'Started checkout', paid: 'Paid' };

function funnel(steps) {
  const top = Math.max(1, ...steps.map((s) => s.count));
  return h('ol', { class: 'funnel', id: 'funnel' }, steps.map((s, i) => {
    const bar = h('span', { class: 'funnel-bar' });
    bar.style.width = `${Math.round((s.count / top) * 100)}%`; // CSSOM: allowed by the CSP
    return h('li', { 'data-step': s.step, 'data-count': String(s.count) },
      h('span', { class: 'funnel-label' }, stepLabels[s.step] || s.step), bar,
      h('strong', { class: 'funnel-count' }, String(s.count)),
      h('span', { class: 'muted funnel-rate' }, i === 0 || steps[i - 1].count === 0 ? '' : `${(s.rate * 100).toFixed(1)} %`));
  }));
}

function zeroSearches(items) {
  if (!items.length) return h('p', { class: 'empty' }, 'Every search found something today.');
  return h('table', { class: 'table', id: 'zero-searches' },
    h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, 'Query'), h('th', { scope: 'col', class: 'num' }, 'Searches'))),
    h('tbody', {}, items.map((q) => h('tr', {}, h('td', {}, q.query), h('td', { class: 'num' }, String(q.count))))));
}

function topProducts(items) {
  if (!items.length) return h('p', { class: 'empty' }, 'No product activity yet today.');
  return h('table', { class: 'table', id: 'top-products' },
    h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, 'Product'), h('th', { scope: 'col', class: 'num' }, 'Views'),
      h('th', { scope: 'col', class: 'num' }, 'Carts'), h('th', { scope: 'col', class: 'num' }, 'Units'), h('th', { scope: 'col', class: 'num' }, 'Revenue'))),
    h('tbody', {}, items.map((p) => h('tr', { 'data-product-id': p.product_id },
      h('td', {}, p.name || p.product_id), h('td', { class: 'num' }, String(p.views)), h('td', { class: 'num' }, String(p.carts)),
      h('td', { class: 'num' }, String(p.quantity)), h('td', { class: 'num' }, p.revenue.currency ? money(p.revenue) : '—')))));
}

function latestOrders(items) {
  if (!items.length) return h('p', { class: 'empty' }, 'Sales will appear here the moment they happen.');
  return h('ul', { class: 'feed', id: 'latest-orders' }, items.map((o) => h('li', { 'data-order-id': o.order_id },
    h('span', { class: 'muted' }, timeOnly(o.paid_at)),
    h('span', { class: 'feed-lines' }, (o.lines || []).map((l) => `${l.quantity} × ${l.name}`).join(', ')),
    h('strong', {}, money(o.total)),
    statusBadge(o.status))));
}
