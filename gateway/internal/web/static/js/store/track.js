// Behaviour events for the merchant dashboards: product views, searches,
// cart additions and checkouts, sent in batches to POST /api/v1/events
// under a random session id (no personal data, no token). Sending never
// gets in the shopper's way: failures are dropped silently.

const maxBatch = 50;
const flushDelay = 2000;
let queue = [];
let timer = 0;

function sessionID() {
  try {
    let id = sessionStorage.getItem('mercato.analytics.session');
    if (!id) {
      const bytes = crypto.getRandomValues(new Uint8Array(12));
      id = Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
      sessionStorage.setItem('mercato.analytics.session', id);
    }
    return id;
  } catch {
    return 'anonymous-session';
  }
}

// merchants remembers which merchant sells a product the shopper saw, so a
// checkout can be told to each merchant of the cart.
function merchants() {
  try { return JSON.parse(sessionStorage.getItem('mercato.analytics.merchants') || '{}'); } catch { return {}; }
}

function remember(productID, merchantID) {
  if (!productID || !merchantID) return;
  const m = merchants();
  m[productID] = merchantID;
  try { sessionStorage.setItem('mercato.analytics.merchants', JSON.stringify(m)); } catch { /* full */ }
}

function push(event) {
  queue.push({ ...event, time: new Date().toISOString() });
  if (queue.length >= maxBatch) flush();
  else if (!timer) timer = setTimeout(flush, flushDelay);
}

/** Sends what is queued (also on leaving the page, with keepalive). */
export function flush() {
  clearTimeout(timer);
  timer = 0;
  if (!queue.length) return;
  const events = queue.splice(0, maxBatch);
  fetch('/api/v1/events', {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ session_id: sessionID(), events }),
    keepalive: true,
  }).catch(() => { /* analytics is best effort */ });
  if (queue.length) timer = setTimeout(flush, flushDelay);
}

/** A product page was seen. */
export function productViewed(p) {
  remember(p.id, p.merchant_id);
  push({ type: 'product_viewed', merchant_id: p.merchant_id, product_id: p.id });
}

/** A search (q non-empty) showed results results. */
export function searched(q, results, merchantID) {
  if (!q) return;
  const ev = { type: 'search', query: q.slice(0, 200), results };
  if (merchantID) ev.merchant_id = merchantID;
  push(ev);
}

/** quantity units of p went into the cart. */
export function addedToCart(p, quantity) {
  remember(p.id, p.merchant_id);
  push({ type: 'added_to_cart', merchant_id: p.merchant_id, product_id: p.id, quantity });
}

/** The checkout was opened for a cart: one event per merchant in it. */
export function checkoutStarted(items) {
  const m = merchants();
  const seen = new Set();
  for (const it of items || []) {
    const merchant = m[it.product_id];
    if (merchant && !seen.has(merchant)) {
      seen.add(merchant);
      push({ type: 'checkout_started', merchant_id: merchant });
    }
  }
  flush();
}

addEventListener('pagehide', flush);
