// The merchant's discount codes: the list, a form to create one
// (percentage or fixed amount, minimum subtotal, validity window, usage
// limits) or to change one (PUT replaces its settings; a code is never
// renamed), and deleting. Money is sent in integer minor units.

import { h, money, moneyInput, parseMoney, dateTime, field, showError, showInfo, busy, formValues, clearErrors } from '../ui.js';
import { session, merchantFirst } from './app.js';

const base = '/api/v1/merchant/discounts';

/** "10 % off" or "$5.00 off". */
export function discountValue(d) {
  return d.kind === 'percentage' ? `${d.percent} % off` : `${money({ amount: d.amount_off, currency: d.currency })} off`;
}

function windowText(d) {
  if (!d.starts_at && !d.ends_at) return 'Always';
  if (!d.ends_at) return `From ${dateTime(d.starts_at)}`;
  if (!d.starts_at) return `Until ${dateTime(d.ends_at)}`;
  return `${dateTime(d.starts_at)} – ${dateTime(d.ends_at)}`;
}

function limitsText(d) {
  const overall = d.usage_limit ? `${d.used} of ${d.usage_limit} used` : `${d.used} used, no limit`;
  return d.per_shopper_limit ? `${overall}; ${d.per_shopper_limit} per shopper` : overall;
}

export async function discounts() {
  const gate = merchantFirst();
  if (gate) return gate;
  const message = h('div', { class: 'message', hidden: true, id: 'discounts-message' });
  const rows = h('tbody', {});
  const more = h('button', { type: 'button', class: 'secondary', hidden: true }, 'Load more');
  let cursor = '';
  let editor = null;
  const upsert = (d) => {
    const row = discountRow(d, message, editor);
    const old = rows.querySelector(`tr[data-code="${CSS.escape(d.code)}"]`);
    if (old) old.replaceWith(row);
    else rows.prepend(row);
    rows.querySelector('.empty')?.remove();
  };
  const load = async () => {
    try {
      const page = await session.call('GET', base, { query: { limit: 50, cursor } });
      for (const d of page.items || []) rows.append(discountRow(d, message, editor));
      cursor = page.next_cursor || '';
      more.hidden = !cursor;
      if (!rows.children.length) rows.append(h('tr', { class: 'empty' }, h('td', { colspan: 6 }, 'No discount codes yet.')));
    } catch (err) {
      showError(message, err);
    }
  };
  editor = discountForm(message, upsert);
  more.addEventListener('click', () => busy(more, load));
  await load();
  return h('section', {},
    h('h1', {}, 'Discount codes'),
    editor.element,
    message,
    h('div', { class: 'table-wrap' },
      h('table', { class: 'table', id: 'discounts-table' },
        h('caption', { class: 'visually-hidden' }, 'Your discount codes'),
        h('thead', {}, h('tr', {},
          h('th', { scope: 'col' }, 'Code'), h('th', { scope: 'col' }, 'Discount'),
          h('th', { scope: 'col', class: 'num' }, 'Minimum'), h('th', { scope: 'col' }, 'Valid'),
          h('th', { scope: 'col' }, 'Uses'), h('th', { scope: 'col' }, 'Actions'))),
        rows)),
    more);
}

function discountRow(d, message, editor) {
  const change = h('button', { type: 'button', class: 'link edit-code', 'aria-label': `Edit code ${d.code}`, onclick: () => editor.edit(d) }, 'Edit');
  const remove = h('button', { type: 'button', class: 'link danger-text delete-code', 'aria-label': `Delete code ${d.code}` }, 'Delete');
  const row = h('tr', { 'data-code': d.code },
    h('td', {}, h('strong', { class: 'code-tag' }, d.code)),
    h('td', { class: 'discount-value' }, discountValue(d)),
    h('td', { class: 'num' }, d.min_subtotal ? money({ amount: d.min_subtotal, currency: d.currency }) : '—'),
    h('td', {}, windowText(d)),
    h('td', {}, limitsText(d)),
    h('td', {}, h('span', { class: 'inline-form' }, change, remove)));
  remove.addEventListener('click', () => {
    if (!window.confirm(`Delete code ${d.code}? Carts holding it lose the discount.`)) return;
    busy(remove, async () => {
      try {
        await session.call('DELETE', `${base}/${encodeURIComponent(d.code)}`);
        row.remove();
        showInfo(message, `Code ${d.code} deleted.`);
      } catch (err) {
        showError(message, err);
      }
    });
  });
  return row;
}

/** A datetime-local value as an RFC 3339 instant; undefined when empty. */
function instant(local) {
  if (!local) return undefined;
  const d = new Date(local);
  return Number.isNaN(d.getTime()) ? null : d.toISOString();
}

/** An RFC 3339 instant as a datetime-local value (local time, minutes). */
function localInput(iso) {
  if (!iso) return '';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return '';
  const pad = (n) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

function wholeNumber(text) {
  if (!text) return 0;
  return /^\d+$/.test(text) ? Number(text) : NaN;
}

/**
 * The form that creates a code, or, after edit(d), replaces the settings
 * of code d (its code and uses stay).
 */
function discountForm(pageMessage, saved) {
  const message = h('div', { class: 'message', hidden: true });
  const submit = h('button', { type: 'submit', id: 'discount-save' }, 'Create code');
  const cancel = h('button', { type: 'button', class: 'secondary', id: 'discount-cancel', hidden: true }, 'Stop editing');
  const title = h('summary', {}, 'Create a code');
  let editing = null;
  const value = field('Percent off', { name: 'percent', id: 'd-value', inputmode: 'numeric', required: true, placeholder: '10' });
  const kind = field('Type', { name: 'kind', id: 'd-kind', value: 'percentage', options: [['percentage', 'Percentage off'], ['fixed', 'Fixed amount off']] });
  const form = h('form', { class: 'discount-form', novalidate: true, id: 'discount-form' },
    h('div', { class: 'row' },
      field('Code', { name: 'code', id: 'd-code', required: true, autocomplete: 'off', maxlength: 32, hint: '3–32 letters, digits, - or _; shoppers type it in any case.' }),
      kind, value,
      field('Currency', { name: 'currency', id: 'd-currency', maxlength: 3, value: 'USD' })),
    h('div', { class: 'row' },
      field('Minimum subtotal (optional)', { name: 'min_subtotal', id: 'd-min', inputmode: 'decimal', placeholder: '0.00' }),
      field('Starts (optional)', { name: 'starts_at', id: 'd-starts', type: 'datetime-local' }),
      field('Ends (optional)', { name: 'ends_at', id: 'd-ends', type: 'datetime-local' })),
    h('div', { class: 'row' },
      field('Uses in total (optional)', { name: 'usage_limit', id: 'd-limit', type: 'number', min: 0, inputmode: 'numeric', hint: 'Empty or 0: no limit.' }),
      field('Uses per shopper (optional)', { name: 'per_shopper_limit', id: 'd-per-shopper', type: 'number', min: 0, inputmode: 'numeric', hint: 'Empty or 0: no limit.' })),
    message,
    h('p', { class: 'actions' }, submit, cancel));
  const details = h('details', { class: 'panel editor', open: true }, title, form);
  const valueInput = value.querySelector('input');
  const valueLabel = value.querySelector('label');
  kind.querySelector('select').addEventListener('change', (e) => {
    const fixed = e.target.value === 'fixed';
    valueInput.name = fixed ? 'amount_off' : 'percent';
    valueInput.placeholder = fixed ? '5.00' : '10';
    valueInput.inputMode = fixed ? 'decimal' : 'numeric';
    valueLabel.textContent = fixed ? 'Amount off' : 'Percent off';
  });

  form.addEventListener('submit', (e) => {
    e.preventDefault();
    const v = formValues(form);
    const currency = (v.currency || 'USD').toUpperCase();
    const fixed = v.kind === 'fixed';
    const body = {
      code: v.code, kind: v.kind, currency,
      percent: fixed ? 0 : wholeNumber(v.percent),
      amount_off: fixed ? parseMoney(v.amount_off, currency) : 0,
      min_subtotal: v.min_subtotal ? parseMoney(v.min_subtotal, currency) : 0,
      starts_at: instant(v.starts_at), ends_at: instant(v.ends_at),
      usage_limit: wholeNumber(v.usage_limit), per_shopper_limit: wholeNumber(v.per_shopper_limit),
    };
    // An unchanged window keeps its exact instants (the inputs show minutes).
    for (const f of ['starts_at', 'ends_at']) if (editing && editing[f] && v[f] === localInput(editing[f])) body[f] = editing[f];
    const errors = [];
    if (!fixed && (Number.isNaN(body.percent) || !v.percent)) errors.push({ field: 'percent', message: 'Enter a whole number such as 10' });
    if (fixed && Number.isNaN(body.amount_off)) errors.push({ field: 'amount_off', message: 'Enter an amount such as 5.00' });
    if (Number.isNaN(body.min_subtotal)) errors.push({ field: 'min_subtotal', message: 'Enter an amount such as 25.00' });
    for (const f of ['starts_at', 'ends_at']) if (body[f] === null) errors.push({ field: f, message: 'Enter a date and time' });
    for (const f of ['usage_limit', 'per_shopper_limit']) if (Number.isNaN(body[f])) errors.push({ field: f, message: 'Enter a whole number' });
    if (errors.length) {
      showError(message, { detail: 'Please correct the highlighted fields.', errors }, form);
      return;
    }
    // reset() after busy(), which puts back the label the button had.
    busy(submit, async () => {
      try {
        const d = editing
          ? await session.call('PUT', `${base}/${encodeURIComponent(editing.code)}`, { body: { ...body, code: editing.code } })
          : await session.call('POST', base, { body });
        saved(d);
        showInfo(pageMessage, `Code ${d.code} ${editing ? 'saved' : 'created'}: ${discountValue(d)}.`);
        return true;
      } catch (err) {
        showError(message, err, form);
        return false;
      }
    }).then((done) => { if (done) reset(); });
  });

  const setKind = (k) => {
    form.elements.kind.value = k;
    form.elements.kind.dispatchEvent(new Event('change'));
  };
  const reset = () => {
    editing = null;
    form.reset();
    clearErrors(form);
    message.hidden = true;
    form.elements.code.readOnly = false;
    title.textContent = 'Create a code';
    submit.textContent = 'Create code';
    cancel.hidden = true;
    setKind('percentage');
  };
  cancel.addEventListener('click', reset);

  return {
    element: details,
    edit(d) {
      reset();
      editing = d;
      const el = form.elements;
      title.textContent = `Edit code ${d.code}`;
      submit.textContent = 'Save changes';
      cancel.hidden = false;
      el.code.value = d.code;
      el.code.readOnly = true;
      setKind(d.kind === 'fixed' ? 'fixed' : 'percentage');
      valueInput.value = d.kind === 'fixed' ? moneyInput(d.amount_off || 0, d.currency) : String(d.percent || '');
      el.currency.value = d.currency;
      el.min_subtotal.value = d.min_subtotal ? moneyInput(d.min_subtotal, d.currency) : '';
      el.starts_at.value = localInput(d.starts_at);
      el.ends_at.value = localInput(d.ends_at);
      el.usage_limit.value = d.usage_limit ? String(d.usage_limit) : '';
      el.per_shopper_limit.value = d.per_shopper_limit ? String(d.per_shopper_limit) : '';
      details.open = true;
      details.scrollIntoView({ block: 'start' });
      valueInput.focus();
    },
  };
}
