// The merchant's shipping rates: one table, flat, free above a subtotal,
// or by weight bands (contiguous from 0 g, the last one open-ended).
// Without a table the shop ships for free.

import { h, money, moneyInput, parseMoney, field, showError, showInfo, busy, clearErrors } from '../ui.js';
import { session, merchantFirst } from './app.js';

const path = '/api/v1/merchant/shipping';

const kinds = [['flat', 'Flat rate per order'], ['free_above', 'Flat rate, free above a subtotal'], ['weight_bands', 'By weight']];

/** The rate table in words, for the page and the tests. */
export function ratesText(r) {
  if (!r) return 'No rate table: your shop ships for free.';
  const m = (amount) => money({ amount, currency: r.currency });
  if (r.kind === 'flat') return `Flat ${m(r.amount)} per order.`;
  if (r.kind === 'free_above') return `${m(r.amount)} per order, free from ${m(r.free_above)}.`;
  return (r.bands || []).map((b) => `${b.from_grams}–${b.to_grams ? `${b.to_grams} g` : '… g'}: ${m(b.amount)}`).join('; ');
}

export async function shipping() {
  const gate = merchantFirst();
  if (gate) return gate;
  let rates = null;
  try {
    rates = await session.call('GET', path);
  } catch (err) {
    if (err.status !== 404) throw err;
  }
  const message = h('div', { class: 'message', hidden: true, id: 'shipping-message' });
  const current = h('p', { class: 'current-rates', id: 'current-rates' }, ratesText(rates));
  const show = (r) => { rates = r; current.textContent = ratesText(r); remove.hidden = !r; };
  const remove = h('button', { type: 'button', class: 'danger', id: 'shipping-delete', hidden: !rates }, 'Remove rate table');
  remove.addEventListener('click', () => {
    if (!window.confirm('Remove your rate table? Your shop will ship for free.')) return;
    busy(remove, async () => {
      try {
        await session.call('DELETE', path);
        show(null);
        showInfo(message, 'Rate table removed: your shop ships for free.');
      } catch (err) {
        showError(message, err);
      }
    });
  });
  return h('section', {},
    h('h1', {}, 'Shipping rates'),
    h('div', { class: 'panel' }, h('h2', {}, 'Current rates'), current, h('p', { class: 'actions' }, remove)),
    message,
    ratesForm(rates, message, show));
}

function ratesForm(rates, pageMessage, saved) {
  const r = rates || { kind: 'flat', currency: 'USD', amount: 0, bands: [] };
  const currency = () => (form.elements.currency.value || 'USD').toUpperCase();
  const message = h('div', { class: 'message', hidden: true });
  const submit = h('button', { type: 'submit', id: 'shipping-save' }, 'Save rates');
  const kind = field('How you charge', { name: 'kind', id: 's-kind', value: r.kind, options: kinds });
  const amount = field('Price per order', { name: 'amount', id: 's-amount', inputmode: 'decimal', placeholder: '4.99',
    value: r.kind !== 'weight_bands' ? moneyInput(r.amount || 0, r.currency) : '' });
  const freeAbove = field('Free from a subtotal of', { name: 'free_above', id: 's-free-above', inputmode: 'decimal', placeholder: '50.00',
    value: r.kind === 'free_above' ? moneyInput(r.free_above || 0, r.currency) : '' });
  const bandRows = h('tbody', { id: 'bands' });
  const addBand = h('button', { type: 'button', class: 'secondary small', id: 'add-band' }, 'Add a band');
  const bands = h('fieldset', { class: 'bands' }, h('legend', {}, 'Weight bands'),
    h('p', { class: 'hint' }, 'From 0 g up, without gaps; leave "up to" empty in the last band for any heavier parcel.'),
    h('table', { class: 'table' },
      h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, 'From (g)'), h('th', { scope: 'col' }, 'Up to (g, excluded)'),
        h('th', { scope: 'col' }, 'Price'), h('th', { scope: 'col' }, h('span', { class: 'visually-hidden' }, 'Actions')))),
      bandRows),
    h('p', { class: 'actions' }, addBand));
  const form = h('form', { class: 'shipping-form', novalidate: true, id: 'shipping-form' },
    h('div', { class: 'row' }, kind, field('Currency', { name: 'currency', id: 's-currency', maxlength: 3, value: r.currency })),
    h('div', { class: 'row' }, amount, freeAbove),
    bands, message, h('p', { class: 'actions' }, submit));

  const renumber = () => {
    [...bandRows.children].forEach((tr, i) => {
      for (const input of tr.querySelectorAll('input')) {
        input.name = `bands[${i}].${input.dataset.key}`;
        input.id = `band-${i}-${input.dataset.key}`;
      }
    });
  };
  const bandRow = (b) => {
    const input = (key, value, attrs) => h('input', { 'data-key': key, value, class: 'small', ...attrs, 'aria-label': key.replace('_', ' ') });
    const tr = h('tr', { class: 'band' },
      h('td', {}, input('from_grams', b.from_grams ?? '', { type: 'number', min: 0, inputmode: 'numeric' })),
      h('td', {}, input('to_grams', b.to_grams || '', { type: 'number', min: 1, inputmode: 'numeric' })),
      h('td', {}, input('amount', b.amount === undefined ? '' : moneyInput(b.amount, currency()), { inputmode: 'decimal', placeholder: '4.99' })),
      h('td', {}, h('button', { type: 'button', class: 'link danger-text', onclick: () => { tr.remove(); renumber(); } }, 'Remove')));
    bandRows.append(tr);
    renumber();
  };
  addBand.addEventListener('click', () => {
    const last = bandRows.lastElementChild;
    const from = last ? Number(last.querySelector('[data-key="to_grams"]').value || 0) : 0;
    bandRow({ from_grams: from });
  });
  const showKind = () => {
    const k = form.elements.kind.value;
    amount.hidden = k === 'weight_bands';
    freeAbove.hidden = k !== 'free_above';
    bands.hidden = k !== 'weight_bands';
    if (k === 'weight_bands' && !bandRows.children.length) bandRow({ from_grams: 0 });
  };
  for (const b of r.bands || []) bandRow(b);
  form.elements.kind.addEventListener('change', showKind);
  showKind();

  form.addEventListener('submit', (e) => {
    e.preventDefault();
    const c = currency();
    const k = form.elements.kind.value;
    const errors = [];
    const price = (name, text) => {
      const n = parseMoney(text || '0', c);
      if (Number.isNaN(n)) errors.push({ field: name, message: 'Enter an amount such as 4.99' });
      return n;
    };
    const body = { kind: k, currency: c };
    if (k !== 'weight_bands') body.amount = price('amount', form.elements.amount.value);
    if (k === 'free_above') body.free_above = price('free_above', form.elements.free_above.value);
    if (k === 'weight_bands') {
      body.bands = [...bandRows.children].map((tr, i) => {
        const get = (key) => tr.querySelector(`[data-key="${key}"]`).value.trim();
        const grams = (key) => {
          const v = get(key);
          if (v !== '' && !/^\d+$/.test(v)) errors.push({ field: `bands[${i}].${key}`, message: 'Enter whole grams' });
          return v === '' ? 0 : Number(v);
        };
        return { from_grams: grams('from_grams'), to_grams: grams('to_grams'), amount: price(`bands[${i}].amount`, get('amount')) };
      });
    }
    if (errors.length) {
      showError(message, { detail: 'Please correct the highlighted fields.', errors }, form);
      return;
    }
    busy(submit, async () => {
      try {
        const answer = await session.call('PUT', path, { body });
        clearErrors(form);
        message.hidden = true;
        saved(answer);
        showInfo(pageMessage, 'Shipping rates saved.');
      } catch (err) {
        showError(message, err, form);
      }
    });
  });
  return h('div', { class: 'panel' }, h('h2', {}, rates ? 'Change your rates' : 'Set your rates'), form);
}
