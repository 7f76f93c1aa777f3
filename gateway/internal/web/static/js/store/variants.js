// Variants on the storefront (issue 18): the picker of a product page (one
// select per option), a card's "from" price, and the "(size: M)" of a cart
// or order line. Option names and values are the merchant's words: they go
// into the page as text nodes and attribute values only, never as markup.

import { h, money } from '../ui.js';

/** Whether product p is sold in variants (it has a non-empty list). */
export function hasVariants(p) {
  return Array.isArray(p.variants) && p.variants.length > 0 && Array.isArray(p.options) && p.options.length > 0;
}

/** "size: M, colour: red": option values by name; '' when there are none. */
export function optionsText(values) {
  if (!values || typeof values !== 'object') return '';
  return Object.entries(values).map(([name, value]) => `${name}: ${value}`).join(', ');
}

/** A line's variant options after its name, " (size: M)"; null without. */
export function lineOptions(line) {
  const text = optionsText(line.variant_options);
  return text ? h('span', { class: 'line-options muted', 'data-variant-options': text }, ` (${text})`) : null;
}

/**
 * The storefront link of a cart or order line: a variant's line opens its
 * product's page with the variant chosen.
 */
export function lineHref(line) {
  if (!line.variant_of) return `/product/${encodeURIComponent(line.product_id)}`;
  return `/product/${encodeURIComponent(line.variant_of)}?variant=${encodeURIComponent(line.product_id)}`;
}

/** A card's price: "from $20.00" when the variants' prices differ. */
export function cardPrice(p) {
  const r = p.price_range;
  if (r && r.min && r.max && (r.min.amount !== r.max.amount || r.min.currency !== r.max.currency)) {
    return h('span', { class: 'price', 'data-price-from': String(r.min.amount) }, `from ${money(r.min)}`);
  }
  return h('span', { class: 'price' }, money(p.price));
}

function availableOf(v) { return v && v.stock ? v.stock.available : 0; }

/**
 * The picker of product p (which has variants): one select per option,
 * starting on the variant of id initialID, else the first one in stock.
 * onChange(variant) is called after each choice with the variant of the
 * chosen values, or null when no variant has that combination. current()
 * is the chosen variant (or null).
 */
export function variantPicker(p, initialID, onChange) {
  const start = p.variants.find((v) => v.id === initialID)
    || p.variants.find((v) => availableOf(v) > 0)
    || p.variants[0];
  const chosen = { ...start.options };
  const current = () => p.variants.find((v) => p.options.every((o) => (v.options || {})[o.name] === chosen[o.name])) || null;
  const fields = p.options.map((o, i) => {
    const id = `variant-option-${i}`;
    const select = h('select', { id, name: `option-${i}`, 'data-option': o.name },
      o.values.map((value) => h('option', { value, selected: chosen[o.name] === value }, value)));
    select.addEventListener('change', () => {
      chosen[o.name] = select.value;
      onChange(current());
    });
    return h('div', { class: 'field' }, h('label', { for: id }, o.name), select);
  });
  return {
    element: h('fieldset', { class: 'variant-picker', id: 'variant-picker' }, h('legend', {}, 'Choose'), h('div', { class: 'row' }, fields)),
    current,
  };
}
