// Small DOM helpers shared by the storefront and the console.

/**
 * Creates an element. attrs: class, text, html is not supported on purpose
 * (no markup from data); on<event> functions become listeners; true/false
 * toggle boolean attributes; everything else is an attribute.
 */
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k === 'class') el.className = v;
    else if (k === 'text') el.textContent = v;
    else if (k.startsWith('on') && typeof v === 'function') el.addEventListener(k.slice(2), v);
    else if (v === true) el.setAttribute(k, '');
    else el.setAttribute(k, String(v));
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const c of children) {
    if (c === undefined || c === null || c === false) continue;
    if (Array.isArray(c)) append(el, c);
    else el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
}

/** Replaces the content of el. */
export function mount(el, ...children) {
  el.replaceChildren();
  append(el, children);
  return el;
}

const fractionDigits = new Map();

function digitsOf(currency) {
  if (!fractionDigits.has(currency)) {
    let d = 2;
    try { d = new Intl.NumberFormat('en', { style: 'currency', currency }).resolvedOptions().maximumFractionDigits; } catch { /* unknown code */ }
    fractionDigits.set(currency, d);
  }
  return fractionDigits.get(currency);
}

/** Formats {amount (minor units), currency} for people. */
export function money(m) {
  if (!m || typeof m.amount !== 'number') return '';
  const currency = m.currency || 'USD';
  const value = m.amount / 10 ** digitsOf(currency);
  try {
    return new Intl.NumberFormat(undefined, { style: 'currency', currency }).format(value);
  } catch {
    return `${value.toFixed(digitsOf(currency))} ${currency}`;
  }
}

/** Parses "12.50" into minor units of currency; NaN when it is not a price. */
export function parseMoney(text, currency = 'USD') {
  const s = String(text).trim().replace(',', '.');
  const digits = digitsOf(currency);
  const m = /^(\d+)(?:\.(\d*))?$/.exec(s);
  if (!m || (m[2] || '').length > digits) return NaN;
  return Number(m[1]) * 10 ** digits + Number((m[2] || '').padEnd(digits, '0') || 0);
}

/** Formats minor units as a plain decimal for an input field. */
export function moneyInput(amount, currency = 'USD') {
  const digits = digitsOf(currency);
  return (amount / 10 ** digits).toFixed(digits);
}

export function dateTime(iso) {
  if (!iso) return '';
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? '' : d.toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' });
}

export function timeOnly(iso) {
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? '' : d.toLocaleTimeString(undefined, { hour: '2-digit', minute: '2-digit', second: '2-digit' });
}

const statusLabels = {
  pending: 'Placed',
  awaiting_payment: 'Awaiting payment',
  paid: 'Paid',
  shipped: 'Shipped',
  cancelled: 'Cancelled',
  refunded: 'Refunded',
};

export function statusLabel(status) { return statusLabels[status] || status; }

/** A coloured badge for an order status. */
export function statusBadge(status) {
  return h('span', { class: `badge badge-${status}`, 'data-status': status }, statusLabel(status));
}

const cancelReasons = {
  out_of_stock: 'Sorry, an item sold out before we could reserve it.',
  payment_declined: 'Your card was declined. No money was taken.',
  reservation_expired: 'The payment did not complete in time, so we released your items.',
  timeout: 'We could not complete your order in time, so it was cancelled. No money was taken.',
  shopper_cancelled: 'You cancelled this order.',
};

/** Explains an order's cancel_reason in words. */
export function cancelReasonText(reason) {
  return cancelReasons[reason] || 'This order was cancelled.';
}

/**
 * Shows err (an ApiError or any Error) in box and marks the fields of form
 * that the problem's errors name. box gets role=alert so it is announced.
 */
export function showError(box, err, form) {
  clearErrors(form);
  const list = [];
  const unplaced = [];
  for (const fe of err.errors || []) {
    const input = form ? findField(form, fe.field) : null;
    if (input) {
      input.setAttribute('aria-invalid', 'true');
      const hint = h('p', { class: 'field-error', id: `${input.id}-error` }, fe.message);
      input.setAttribute('aria-describedby', hint.id);
      input.insertAdjacentElement('afterend', hint);
      list.push(input);
    } else {
      unplaced.push(h('li', {}, `${humanField(fe.field)}: ${fe.message}`));
    }
  }
  let text = err.detail || err.message || 'Something went wrong.';
  if (err.status === 429 && err.retryAfter) text += ` Try again in ${err.retryAfter} s.`;
  mount(box, h('p', { class: 'error-text' }, text), unplaced.length ? h('ul', {}, unplaced) : null);
  box.hidden = false;
  box.className = 'message message-error';
  box.setAttribute('role', 'alert');
  if (list.length) list[0].focus();
}

/** Shows a success or information text in box. */
export function showInfo(box, text, kind = 'ok') {
  mount(box, text);
  box.hidden = false;
  box.className = `message message-${kind}`;
  box.setAttribute('role', 'status');
}

export function clearErrors(form) {
  if (!form) return;
  form.querySelectorAll('.field-error').forEach((e) => e.remove());
  form.querySelectorAll('[aria-invalid]').forEach((e) => {
    e.removeAttribute('aria-invalid');
    e.removeAttribute('aria-describedby');
  });
}

function findField(form, field) {
  if (!field) return null;
  return form.querySelector(`[name="${CSS.escape(field)}"]`)
    || form.querySelector(`[name="${CSS.escape(field.split('.').pop())}"]`);
}

function humanField(field) {
  return String(field || 'request').replace(/[._]/g, ' ');
}

let uid = 0;

/** A labelled input: returns the wrapper; opts become input attributes. */
export function field(label, opts = {}) {
  const id = opts.id || `f${++uid}`;
  const { hint, options, multiline, ...attrs } = opts;
  let input;
  if (options) {
    input = h('select', { id, ...attrs }, options.map(([v, t]) => h('option', { value: v, selected: String(attrs.value ?? '') === String(v) }, t)));
  } else if (multiline) {
    input = h('textarea', { id, rows: 3, ...attrs });
    input.value = attrs.value || '';
  } else {
    input = h('input', { id, type: 'text', ...attrs });
  }
  return h('div', { class: 'field' },
    h('label', { for: id }, label),
    input,
    hint ? h('p', { class: 'hint' }, hint) : null);
}

/** Disables a form's submit button while fn runs. */
export async function busy(button, fn) {
  const label = button.textContent;
  button.disabled = true;
  button.setAttribute('aria-busy', 'true');
  try {
    return await fn();
  } finally {
    button.disabled = false;
    button.removeAttribute('aria-busy');
    button.textContent = label;
  }
}

/** Values of a form's named controls (checkboxes as booleans). */
export function formValues(form) {
  const out = {};
  for (const el of form.elements) {
    if (!el.name) continue;
    if (el.type === 'checkbox') out[el.name] = el.checked;
    else if (el.type === 'radio') { if (el.checked) out[el.name] = el.value; }
    else out[el.name] = el.value.trim();
  }
  return out;
}

/**
 * The URL to show for a product image: generated pictures of this site
 * (/assets/products/...) are loaded from the current origin whatever host
 * name the product was created with.
 */
export function imageURL(p) {
  const raw = (p.images && p.images[0]) || '/assets/products/product.svg';
  try {
    const u = new URL(raw, location.origin);
    if (u.pathname.startsWith('/assets/products/')) return u.pathname;
  } catch { /* not a URL: shown as it is */ }
  return raw;
}
