// The merchant's products: create (with options and variants), edit,
// restock and archive; a product's variants are rows under its own
// (variants.js).

import { h, mount, imageURL, money, moneyInput, parseMoney, field, showError, showInfo, busy, formValues, clearErrors } from '../ui.js';
import { session, merchantFirst } from './app.js';
import { reviewsPanel } from './reviews.js';
import { hasVariants, optionsEditor, variantRows } from './variants.js';

const base = '/api/v1/merchant/products';

/** A slug for generated product images: "Desk Lamp" → "desk-lamp". */
export function slug(text) {
  return String(text).toLowerCase().normalize('NFKD').replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 60) || 'product';
}

function isArchived(p) { return p.status === 'archived' || p.archived === true || Boolean(p.archived_at); }

export async function products() {
  const gate = merchantFirst();
  if (gate) return gate;
  const message = h('div', { class: 'message', hidden: true, id: 'products-message' });
  const rows = h('tbody', {});
  const more = h('button', { type: 'button', class: 'secondary', hidden: true }, 'Load more');
  const state = { currency: 'USD', cursor: '', byId: new Map() };
  const editor = productForm(state, message, (p) => upsertRow(p));
  const reviewsBox = h('div', { id: 'reviews-box' });
  const showReviews = async (p) => {
    try {
      mount(reviewsBox, await reviewsPanel(p, () => mount(reviewsBox)));
      reviewsBox.scrollIntoView({ block: 'start' });
    } catch (err) {
      showError(message, err);
    }
  };

  // A product's rows: its own and, when it has variants, theirs.
  const rowsOf = (p) => {
    const ctx = { message, edit: () => editor.edit(p), replace: upsertRow, reviews: () => showReviews(p) };
    const reload = async () => upsertRow(await session.call('GET', `${base}/${encodeURIComponent(p.id)}`));
    return [productRow(p, ctx), ...variantRows(p, { message, reload, archived: isArchived(p) })];
  };
  const upsertRow = (p) => {
    state.byId.set(p.id, p);
    const id = CSS.escape(p.id);
    const old = rows.querySelector(`tr[data-product-id="${id}"]`);
    const fresh = rowsOf(p);
    if (!old) { rows.prepend(...fresh); return; }
    const stale = [old, ...rows.querySelectorAll(`tr[data-variant-of="${id}"]`)];
    old.before(...fresh);
    stale.forEach((tr) => tr.remove());
  };

  const load = async () => {
    try {
      const page = await session.call('GET', base, { query: { limit: 50, cursor: state.cursor } });
      // Variants are shown under their product, not as products.
      for (const p of (page.items || []).filter((it) => !it.variant_of)) {
        if (!state.byId.size && p.price) state.currency = p.price.currency;
        state.byId.set(p.id, p);
        rows.append(...rowsOf(p));
      }
      editor.setCurrency(state.currency);
      state.cursor = page.next_cursor || '';
      more.hidden = !state.cursor;
    } catch (err) {
      showError(message, err);
    }
  };
  more.addEventListener('click', () => busy(more, load));
  await load();
  return h('section', {},
    h('h1', {}, 'Products'),
    editor.element,
    message,
    h('div', { class: 'table-wrap' },
      h('table', { class: 'table products-table', id: 'products-table' },
        h('caption', { class: 'visually-hidden' }, 'Your products'),
        h('thead', {}, h('tr', {},
          h('th', { scope: 'col' }, 'Product'), h('th', { scope: 'col' }, 'Category'),
          h('th', { scope: 'col', class: 'num' }, 'Price'), h('th', { scope: 'col', class: 'num' }, 'Available'),
          h('th', { scope: 'col' }, 'Restock'), h('th', { scope: 'col' }, 'Actions'))),
        rows)),
    more,
    reviewsBox);
}

/** The create/edit form in a disclosure; edit(p) fills it for a PATCH. */
function productForm(state, pageMessage, saved) {
  const message = h('div', { class: 'message', hidden: true });
  const title = h('summary', {}, 'Add a product');
  const submit = h('button', { type: 'submit', id: 'product-save' }, 'Create product');
  const cancel = h('button', { type: 'button', class: 'secondary', hidden: true }, 'Stop editing');
  const stock = field('Initial stock', { name: 'stock', type: 'number', min: 0, value: 10, inputmode: 'numeric', id: 'p-stock' });
  let editing = null;
  const variants = optionsEditor({
    sku: () => form.elements.sku.value.trim(),
    currency: () => (form.elements.currency.value.trim() || state.currency).toUpperCase(),
    onChange: (has) => { stock.hidden = has || editing !== null; },
  });
  const form = h('form', { class: 'product-form', novalidate: true, id: 'product-form' },
    h('div', { class: 'row' },
      field('SKU', { name: 'sku', required: true, id: 'p-sku', autocomplete: 'off' }),
      field('Name', { name: 'name', required: true, id: 'p-name' })),
    h('div', { class: 'row' },
      field('Category', { name: 'category', required: true, id: 'p-category' }),
      field('Price', { name: 'price', inputmode: 'decimal', required: true, id: 'p-price', placeholder: '19.99' }),
      field('Currency', { name: 'currency', maxlength: 3, id: 'p-currency', value: state.currency }),
      field('Weight (g)', { name: 'weight_grams', type: 'number', min: 0, inputmode: 'numeric', id: 'p-weight', hint: 'For weight-band shipping.' }),
      stock),
    field('Description', { name: 'description', multiline: true, id: 'p-description' }),
    field('Image URL (optional)', { name: 'image', type: 'url', id: 'p-image', hint: 'Leave empty for a generated picture.' }),
    variants.element,
    message,
    h('p', { class: 'actions' }, submit, cancel));
  const details = h('details', { class: 'panel editor' }, title, form);

  const reset = () => {
    editing = null;
    form.reset();
    clearErrors(form);
    message.hidden = true;
    title.textContent = 'Add a product';
    submit.textContent = 'Create product';
    cancel.hidden = true;
    variants.element.hidden = false;
    variants.reset();
    form.elements.currency.value = state.currency;
  };
  cancel.addEventListener('click', reset);

  form.addEventListener('submit', (e) => {
    e.preventDefault();
    busy(submit, async () => {
      const v = formValues(form);
      const currency = (v.currency || state.currency).toUpperCase();
      const amount = parseMoney(v.price, currency);
      const errors = Number.isNaN(amount) ? [{ field: 'price', message: 'Enter a price such as 19.99' }] : [];
      const sold = editing ? {} : variants.body(errors);
      if (errors.length) {
        showError(message, { detail: 'Please correct the highlighted fields.', errors }, form);
        return;
      }
      const body = {
        sku: v.sku, name: v.name, category: v.category, description: v.description,
        price: { amount, currency },
        weight_grams: Number(v.weight_grams || 0),
        images: [v.image || `${location.origin}/assets/products/${slug(v.name)}.svg`],
      };
      try {
        let p;
        if (editing) {
          if (!v.image && editing.images && editing.images.length) body.images = editing.images;
          p = await session.call('PATCH', `${base}/${encodeURIComponent(editing.id)}`, { body });
          showInfo(pageMessage, `Saved ${p.name}.`);
        } else {
          if (sold.variants) Object.assign(body, sold);
          else body.stock = Number(v.stock || 0);
          p = await session.call('POST', base, { body });
          showInfo(pageMessage, `Created ${p.name}.`);
        }
        saved(p);
        return true;
      } catch (err) {
        showError(message, err, form);
        return false;
      }
    }).then((done) => {
      // After busy(), which puts back the label the button had.
      if (!done) return;
      reset();
      details.open = false;
    });
  });

  return {
    element: details,
    setCurrency(c) { if (!editing) form.elements.currency.value = c; },
    edit(p) {
      reset();
      editing = p;
      title.textContent = `Edit ${p.name}`;
      submit.textContent = 'Save changes';
      stock.hidden = true;
      variants.element.hidden = true;
      cancel.hidden = false;
      const el = form.elements;
      el.sku.value = p.sku;
      el.name.value = p.name;
      el.category.value = p.category;
      el.description.value = p.description || '';
      el.price.value = moneyInput(p.price.amount, p.price.currency);
      el.currency.value = p.price.currency;
      el.weight_grams.value = p.weight_grams ? String(p.weight_grams) : '';
      el.image.value = (p.images && p.images[0]) || '';
      details.open = true;
      el.name.focus();
    },
  };
}

/** A product's price, or "$20.00–$25.00" when its variants' prices differ. */
function priceText(p) {
  const r = p.price_range;
  if (r && r.min && r.max && r.min.amount !== r.max.amount) return `${money(r.min)}–${money(r.max)}`;
  return money(p.price);
}

function productRow(p, { message, edit, replace, reviews }) {
  const archived = isArchived(p);
  const variants = hasVariants(p);
  const id = `restock-${p.id}`;
  const delta = h('input', { id, type: 'number', value: 10, inputmode: 'numeric', class: 'small' });
  const restock = h('button', { type: 'button', class: 'secondary small' }, 'Add');
  restock.addEventListener('click', () => busy(restock, async () => {
    try {
      const updated = await session.call('POST', `${base}/${encodeURIComponent(p.id)}/stock`, { body: { delta: Number(delta.value) } });
      replace(updated || { ...p, stock: { available: p.stock.available + Number(delta.value) } });
      showInfo(message, `Stock of ${p.name} updated.`);
    } catch (err) {
      showError(message, err);
    }
  }));
  const archive = h('button', { type: 'button', class: 'link danger-text' }, 'Archive');
  archive.addEventListener('click', () => {
    if (!window.confirm(`Archive ${p.name}? Shoppers will no longer see it.`)) return;
    busy(archive, async () => {
      try {
        const answer = await session.call('DELETE', `${base}/${encodeURIComponent(p.id)}`);
        replace(answer && answer.id ? answer : { ...p, status: 'archived' });
        showInfo(message, `${p.name} is archived.`);
      } catch (err) {
        showError(message, err);
      }
    });
  });
  return h('tr', { 'data-product-id': p.id, 'data-sku': p.sku, class: `${archived ? 'archived' : ''}${variants ? ' has-variants' : ''}`.trim() },
    h('td', {}, h('div', { class: 'product-cell' },
      h('img', { src: imageURL(p), alt: '', width: 40, height: 40, loading: 'lazy' }),
      h('div', {}, h('strong', {}, p.name), h('br'), h('span', { class: 'muted' }, p.sku),
        archived ? h('span', { class: 'badge badge-cancelled' }, 'Archived') : null))),
    h('td', {}, p.category),
    h('td', { class: 'num' }, priceText(p)),
    h('td', { class: 'num stock-cell' }, String(p.stock ? p.stock.available : 0)),
    h('td', {}, archived ? '' : (variants ? h('span', { class: 'muted' }, 'Per variant, below') : h('span', { class: 'inline-form' },
      h('label', { for: id, class: 'visually-hidden' }, `Units to add to ${p.name}`), delta, restock))),
    h('td', {}, archived ? '' : h('span', { class: 'inline-form' },
      h('button', { type: 'button', class: 'link', onclick: edit, 'aria-label': `Edit ${p.name}` }, 'Edit'),
      h('button', { type: 'button', class: 'link show-reviews', onclick: reviews, 'aria-label': `Reviews of ${p.name}` },
        `Reviews (${p.rating ? p.rating.count : 0})`),
      archive)));
}
