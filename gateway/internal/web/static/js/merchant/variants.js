// Variants in the console (issue 18): the options and variants of a new
// product (optionsEditor), and a product's variant rows in the products
// table, where a variant's price is edited, a variant restocked and a
// variant added (variantRows). Option names, values and SKUs are the
// merchant's words: shown as text nodes and attribute values only.

import { h, money, moneyInput, parseMoney, showError, showInfo, busy, clearErrors } from '../ui.js';
import { session } from './app.js';

const base = '/api/v1/merchant/products';
const maxOptions = 3;

/** Whether product p is sold in variants. */
export function hasVariants(p) { return Array.isArray(p.variants) && p.variants.length > 0; }

/** "size: M, colour: red": option values by name. */
export function optionsText(values) {
  if (!values || typeof values !== 'object') return '';
  return Object.entries(values).map(([name, value]) => `${name}: ${value}`).join(', ');
}

/** Every combination of the options' values, in order. */
function combinations(options) {
  return options.reduce((acc, o) => acc.flatMap((c) => o.values.map((v) => ({ ...c, [o.name]: v }))), [{}]);
}

/** "S, M , L" → ["S", "M", "L"], without empty or repeated values. */
function splitValues(text) {
  return [...new Set(String(text).split(',').map((s) => s.trim()).filter(Boolean))];
}

/** A short SKU part for a value: "Extra Large" → "EXTRA-LARGE". */
function skuPart(value) {
  return String(value).toUpperCase().replace(/[^A-Z0-9]+/g, '-').replace(/^-+|-+$/g, '') || 'X';
}

function wholeOrNaN(text) { return /^\d+$/.test(text) ? Number(text) : NaN; }

/** An input with its visible label, in a .field wrapper. */
function labelled(label, input) {
  return h('div', { class: 'field' }, h('label', { for: input.id }, label), input);
}

/**
 * The options and variants part of the create form. ctx: sku() and
 * currency() read the product's fields; onChange(has) tells whether
 * options are being set (the product's own stock does not apply then).
 * body(errors) is {} for a product without options, else {options,
 * variants}; problems found are pushed to errors as field errors.
 */
export function optionsEditor(ctx) {
  const optionRows = h('div', { class: 'option-rows', id: 'option-rows' });
  const drafts = h('tbody', { id: 'variant-drafts' });
  const combos = new Map(); // draft row → its option values
  const addOption = h('button', { type: 'button', class: 'secondary small', id: 'add-option' }, 'Add an option');
  const make = h('button', { type: 'button', class: 'secondary small', id: 'make-variants', hidden: true }, 'Make the variants');
  const table = h('table', { class: 'table variant-drafts', hidden: true },
    h('caption', { class: 'visually-hidden' }, 'Variants of the new product'),
    h('thead', {}, h('tr', {}, ['Variant', 'SKU', 'Price (empty: the product’s)', 'Initial stock', 'Weight (g)', 'Actions']
      .map((t) => h('th', { scope: 'col' }, t)))),
    drafts);

  const changed = () => {
    const n = optionRows.children.length;
    addOption.hidden = n >= maxOptions;
    make.hidden = n === 0;
    table.hidden = drafts.children.length === 0;
    ctx.onChange(n > 0);
  };
  const renumber = () => {
    [...optionRows.children].forEach((row, i) => {
      for (const f of row.querySelectorAll('.field')) {
        const input = f.querySelector('input');
        input.name = `options.${i}.${input.dataset.key}`;
        input.id = `opt-${i}-${input.dataset.key}`;
        f.querySelector('label').setAttribute('for', input.id);
      }
    });
    [...drafts.children].forEach((tr, i) => {
      for (const input of tr.querySelectorAll('input')) {
        input.name = `variants.${i}.${input.dataset.key}`;
        input.id = `v-${i}-${input.dataset.key}`;
      }
    });
  };
  const readOptions = () => [...optionRows.children].map((row) => ({
    name: row.querySelector('[data-key="name"]').value.trim(),
    values: splitValues(row.querySelector('[data-key="values"]').value),
  }));

  addOption.addEventListener('click', () => {
    const name = h('input', { 'data-key': 'name', maxlength: 30, placeholder: 'size', autocomplete: 'off' });
    const values = h('input', { 'data-key': 'values', placeholder: 'S, M, L', autocomplete: 'off' });
    const row = h('div', { class: 'row option-row' },
      h('div', { class: 'field' }, h('label', {}, 'Option'), name),
      h('div', { class: 'field' }, h('label', {}, 'Values, separated by commas'), values));
    row.append(h('button', {
      type: 'button', class: 'link danger-text', onclick: () => { row.remove(); renumber(); changed(); },
    }, 'Remove option'));
    optionRows.append(row);
    renumber();
    changed();
    name.focus();
  });

  make.addEventListener('click', () => {
    const options = readOptions().filter((o) => o.name && o.values.length);
    const before = new Map([...combos].map(([tr, c]) => [optionsText(c), tr]));
    drafts.replaceChildren();
    combos.clear();
    for (const c of options.length ? combinations(options) : []) {
      const key = optionsText(c);
      const tr = before.get(key) || draftRow(c);
      combos.set(tr, c);
      drafts.append(tr);
    }
    renumber();
    changed();
  });

  const draftRow = (c) => {
    const input = (key, attrs) => h('input', { 'data-key': key, class: 'small', 'aria-label': `${key.replace('_', ' ')} of ${optionsText(c)}`, ...attrs });
    const sku = [ctx.sku() || 'SKU', ...Object.values(c).map(skuPart)].join('-');
    const tr = h('tr', { class: 'variant-draft', 'data-combination': optionsText(c) },
      h('td', {}, optionsText(c)),
      h('td', {}, input('sku', { value: sku, autocomplete: 'off' })),
      h('td', {}, input('price', { inputmode: 'decimal', placeholder: 'same' })),
      h('td', {}, input('stock', { type: 'number', min: 0, value: 10, inputmode: 'numeric' })),
      h('td', {}, input('weight_grams', { type: 'number', min: 0, inputmode: 'numeric', placeholder: 'same' })));
    tr.append(h('td', {}, h('button', {
      type: 'button', class: 'link danger-text', onclick: () => { tr.remove(); combos.delete(tr); renumber(); changed(); },
    }, 'Remove')));
    return tr;
  };

  return {
    element: h('fieldset', { class: 'options-editor' },
      h('legend', {}, 'Options and variants (optional)'),
      h('p', { class: 'hint' }, 'Up to 3 options such as size or colour. Each variant has its own SKU, stock and, if you like, price.'),
      optionRows, h('p', { class: 'actions' }, addOption, make), table),
    reset() {
      optionRows.replaceChildren();
      drafts.replaceChildren();
      combos.clear();
      changed();
    },
    body(errors) {
      const options = readOptions();
      if (!options.length) return {};
      options.forEach((o, i) => {
        if (!o.name) errors.push({ field: `options.${i}.name`, message: 'Name the option, such as size' });
        if (!o.values.length) errors.push({ field: `options.${i}.values`, message: 'Enter the values, such as S, M, L' });
      });
      if (!drafts.children.length) errors.push({ field: 'variants', message: 'Press “Make the variants”, then fill them in' });
      const currency = ctx.currency();
      const variants = [...drafts.children].map((tr, i) => {
        const get = (key) => tr.querySelector(`[data-key="${key}"]`).value.trim();
        const v = { sku: get('sku'), options: combos.get(tr), stock: wholeOrNaN(get('stock') || '0') };
        if (Number.isNaN(v.stock)) errors.push({ field: `variants.${i}.stock`, message: 'Enter whole units' });
        if (get('price')) {
          v.price = { amount: parseMoney(get('price'), currency), currency };
          if (Number.isNaN(v.price.amount)) errors.push({ field: `variants.${i}.price`, message: 'Enter a price such as 19.99' });
        }
        if (get('weight_grams')) {
          v.weight_grams = wholeOrNaN(get('weight_grams'));
          if (Number.isNaN(v.weight_grams)) errors.push({ field: `variants.${i}.weight_grams`, message: 'Enter whole grams' });
        }
        return v;
      });
      return { options, variants };
    },
  };
}

/**
 * The rows under product p's row in the products table: one per variant
 * (price to edit, restock) and one to add a variant. reload() fetches p
 * again and redraws its rows.
 */
export function variantRows(p, { message, reload, archived }) {
  const rows = (p.variants || []).map((v) => variantRow(p, v, { message, reload, archived }));
  if (!archived && Array.isArray(p.options) && p.options.length) rows.push(addVariantRow(p, reload));
  return rows;
}

function variantRow(p, v, { message, reload, archived }) {
  const currency = (v.price || p.price).currency;
  const available = v.stock ? v.stock.available : 0;
  const price = h('input', { id: `vprice-${v.id}`, class: 'small variant-price', inputmode: 'decimal', value: moneyInput((v.price || p.price).amount, currency) });
  const save = h('button', { type: 'button', class: 'secondary small save-price' }, 'Save');
  save.addEventListener('click', () => busy(save, async () => {
    const amount = parseMoney(price.value, currency);
    if (Number.isNaN(amount) || amount <= 0) {
      price.setAttribute('aria-invalid', 'true');
      showError(message, { detail: `Enter a price such as 19.99 for ${v.sku}.` });
      return;
    }
    try {
      await session.call('PATCH', `${base}/${encodeURIComponent(p.id)}/variants/${encodeURIComponent(v.id)}`, { body: { price: { amount, currency } } });
      await reload();
      showInfo(message, `Price of ${v.sku} is now ${money({ amount, currency })}.`);
    } catch (err) {
      showError(message, err);
    }
  }));
  const delta = h('input', { id: `vstock-${v.id}`, type: 'number', value: 10, inputmode: 'numeric', class: 'small' });
  const restock = h('button', { type: 'button', class: 'secondary small restock-variant' }, 'Add');
  restock.addEventListener('click', () => busy(restock, async () => {
    try {
      await session.call('POST', `${base}/${encodeURIComponent(v.id)}/stock`, { body: { delta: Number(delta.value) } });
      await reload();
      showInfo(message, `Stock of ${v.sku} updated.`);
    } catch (err) {
      showError(message, err);
    }
  }));
  const what = `${p.name} (${optionsText(v.options)})`;
  return h('tr', { class: 'variant', 'data-variant-of': p.id, 'data-variant-id': v.id, 'data-variant-sku': v.sku },
    h('td', {}, h('div', { class: 'variant-cell' },
      h('span', { class: 'variant-options' }, optionsText(v.options)), h('br'), h('span', { class: 'muted' }, v.sku))),
    h('td', {}),
    h('td', { class: 'num' }, archived ? money(v.price) : h('span', { class: 'inline-form' },
      h('label', { for: price.id, class: 'visually-hidden' }, `Price of ${what}`), price, save)),
    h('td', { class: 'num stock-cell' }, String(available)),
    h('td', {}, archived ? '' : h('span', { class: 'inline-form' },
      h('label', { for: delta.id, class: 'visually-hidden' }, `Units to add to ${what}`), delta, restock)),
    h('td', {}));
}

/** A form to add a variant of a combination that has none yet. */
function addVariantRow(p, reload) {
  const taken = new Set((p.variants || []).map((v) => optionsText(v.options)));
  const free = combinations(p.options).find((c) => !taken.has(optionsText(c))) || {};
  const id = (key) => `nv-${p.id}-${key}`;
  const selects = p.options.map((o, i) => labelled(o.name, h('select', { id: id(`option-${i}`), name: `options.${o.name}`, 'data-option': o.name },
    o.values.map((value) => h('option', { value, selected: free[o.name] === value }, value)))));
  const message = h('div', { class: 'message', hidden: true });
  const submit = h('button', { type: 'submit', class: 'secondary small' }, 'Add variant');
  const form = h('form', { class: 'add-variant-form', novalidate: true },
    h('div', { class: 'row' },
      selects,
      labelled('SKU', h('input', { id: id('sku'), name: 'sku', autocomplete: 'off', required: true })),
      labelled('Price (empty: the product’s)', h('input', { id: id('price'), name: 'price', inputmode: 'decimal', placeholder: moneyInput(p.price.amount, p.price.currency) })),
      labelled('Initial stock', h('input', { id: id('stock'), name: 'stock', type: 'number', min: 0, value: 10, inputmode: 'numeric' }))),
    message, h('p', { class: 'actions' }, submit));
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    const el = form.elements;
    const options = {};
    p.options.forEach((o, i) => { options[o.name] = el[id(`option-${i}`)].value; });
    const body = { sku: el.sku.value.trim(), options, stock: wholeOrNaN(el.stock.value.trim() || '0') };
    const errors = [];
    if (Number.isNaN(body.stock)) errors.push({ field: 'stock', message: 'Enter whole units' });
    if (el.price.value.trim()) {
      body.price = { amount: parseMoney(el.price.value, p.price.currency), currency: p.price.currency };
      if (Number.isNaN(body.price.amount)) errors.push({ field: 'price', message: 'Enter a price such as 19.99' });
    }
    if (errors.length) {
      showError(message, { detail: 'Please correct the highlighted fields.', errors }, form);
      return;
    }
    busy(submit, async () => {
      try {
        await session.call('POST', `${base}/${encodeURIComponent(p.id)}/variants`, { body });
        clearErrors(form);
        await reload();
      } catch (err) {
        showError(message, err, form);
      }
    });
  });
  return h('tr', { class: 'add-variant', 'data-variant-of': p.id },
    h('td', { colspan: 6 }, h('details', {}, h('summary', {}, `Add a variant of ${p.name}`), form)));
}
