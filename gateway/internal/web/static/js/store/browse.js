// Browsing: the home page, search with filters, and the product page.

import { h, mount, imageURL, money, moneyInput, parseMoney, field, showError, showInfo, busy, formValues } from '../ui.js';
import { session, catalog, go, refreshCartCount } from './app.js';
import { ratingSummary, reviewsSection } from './reviews.js';
import * as track from './track.js';
import { hasVariants, variantPicker, optionsText, cardPrice } from './variants.js';

/** A product tile linking to its page. */
export function productCard(p) {
  const available = p.stock ? p.stock.available : 0;
  track.productViewed(p);
  return h('li', { class: 'card product-card', 'data-product-id': p.id },
    h('a', { href: `/product/${encodeURIComponent(p.id)}`, class: 'card-link' },
      productImage(p, 'card-image'),
      h('span', { class: 'card-title' }, p.name)),
    h('p', { class: 'card-meta' },
      cardPrice(p),
      stockBadge(available)));
}

export function productImage(p, cls) {
  return h('img', { class: cls, src: imageURL(p), alt: '', width: 400, height: 400, loading: 'lazy', decoding: 'async' });
}

function stockBadge(available) {
  if (available <= 0) return h('span', { class: 'stock stock-out' }, 'Sold out');
  if (available <= 5) return h('span', { class: 'stock stock-low' }, `Only ${available} left`);
  return h('span', { class: 'stock' }, 'In stock');
}

function listOf(answer) {
  return Array.isArray(answer) ? answer : (answer && answer.items) || [];
}

/** The home page: categories and new arrivals. */
export async function home() {
  const [cats, featured] = await Promise.all([
    catalog('/api/v1/categories').catch(() => []),
    catalog('/api/v1/products', { sort: 'newest', in_stock: true, limit: 10 }),
  ]);
  const categories = listOf(cats);
  return h('div', {},
    h('section', { class: 'hero' },
      h('h1', {}, 'Find something good'),
      h('p', {}, 'Independent shops, one cart, one checkout.')),
    categories.length ? h('section', { 'aria-labelledby': 'cat-h' },
      h('h2', { id: 'cat-h' }, 'Shop by category'),
      h('ul', { class: 'chips' }, categories.map((c) => h('li', {},
        h('a', { class: 'chip', href: `/search?category=${encodeURIComponent(c.name)}` },
          c.name, h('span', { class: 'count' }, String(c.count))))))) : null,
    h('section', { 'aria-labelledby': 'new-h' },
      h('h2', { id: 'new-h' }, 'New arrivals'),
      productGrid(listOf(featured))));
}

function productGrid(items) {
  if (!items.length) return h('p', { class: 'empty' }, 'No products match. Try fewer filters or other words.');
  return h('ul', { class: 'grid', id: 'results' }, items.map(productCard));
}

const sorts = [['', 'Best match'], ['price_asc', 'Price: low to high'], ['price_desc', 'Price: high to low'], ['newest', 'Newest']];

/** Search results with filters, sort and cursor pagination. */
export async function search({ params }) {
  const q = params.get('q') || '';
  const filters = {
    q,
    category: params.get('category') || '',
    min_price: params.get('min_price') || '',
    max_price: params.get('max_price') || '',
    in_stock: params.get('in_stock') === 'true',
    sort: params.get('sort') || '',
    cursor: params.get('cursor') || '',
    limit: 12,
  };
  const cats = await catalog('/api/v1/categories').catch(() => []);
  const message = h('div', { class: 'message', hidden: true });
  const form = filterForm(filters, listOf(cats), message);
  let results;
  try {
    const page = await catalog('/api/v1/products', filters);
    if (!filters.cursor) track.searched(q, listOf(page).length, filters.merchant_id);
    results = h('div', {},
      productGrid(listOf(page)),
      pager(params, page.next_cursor));
  } catch (err) {
    results = h('div', {});
    showError(message, err, form);
  }
  const title = q ? `Results for “${q}”` : (filters.category ? `Category: ${filters.category}` : 'All products');
  return h('div', { class: 'search-layout' },
    h('h1', {}, title),
    form, message, results);
}

function filterForm(f, categories, message) {
  const form = h('form', { class: 'filters', 'aria-label': 'Filters' },
    field('Search', { name: 'q', type: 'search', value: f.q }),
    field('Category', {
      name: 'category', value: f.category,
      options: [['', 'All categories'], ...categories.map((c) => [c.name, `${c.name} (${c.count})`])],
    }),
    field('Min price', { name: 'min_price', inputmode: 'decimal', value: f.min_price ? moneyInput(Number(f.min_price)) : '', placeholder: '0.00' }),
    field('Max price', { name: 'max_price', inputmode: 'decimal', value: f.max_price ? moneyInput(Number(f.max_price)) : '', placeholder: 'any' }),
    h('div', { class: 'field checkbox' },
      h('input', { type: 'checkbox', id: 'f-in-stock', name: 'in_stock', checked: f.in_stock }),
      h('label', { for: 'f-in-stock' }, 'In stock only')),
    field('Sort by', { name: 'sort', value: f.sort, options: sorts }),
    h('button', { type: 'submit' }, 'Apply'));
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    const v = formValues(form);
    const out = new URLSearchParams();
    for (const name of ['q', 'category', 'sort']) if (v[name]) out.set(name, v[name]);
    for (const name of ['min_price', 'max_price']) {
      if (!v[name]) continue;
      const minor = parseMoney(v[name]);
      if (Number.isNaN(minor)) {
        showError(message, { detail: 'Please correct the filters.', errors: [{ field: name, message: 'Enter a price such as 12.50' }] }, form);
        return;
      }
      out.set(name, String(minor));
    }
    if (v.in_stock) out.set('in_stock', 'true');
    go(`/search?${out}`);
  });
  return form;
}

function pager(params, next) {
  const links = [];
  if (params.get('cursor')) {
    const first = new URLSearchParams(params);
    first.delete('cursor');
    links.push(h('a', { class: 'button secondary', href: `/search?${first}` }, '← First page'));
  }
  if (next) {
    const p = new URLSearchParams(params);
    p.set('cursor', next);
    links.push(h('a', { class: 'button secondary', href: `/search?${p}`, rel: 'next' }, 'Next page →'));
  }
  return links.length ? h('nav', { class: 'pager', 'aria-label': 'Pages' }, links) : null;
}

/**
 * One product with an add-to-cart form; a product with variants has a
 * picker, and the price, availability and SKU shown are the chosen
 * variant's. /product/<variant id> and ?variant=<id> open the product with
 * that variant chosen.
 */
export async function product({ match, params }) {
  let p = await catalog(`/api/v1/products/${encodeURIComponent(decodeURIComponent(match[1]))}`);
  let wanted = params.get('variant') || '';
  if (p.variant_of) {
    wanted = p.id;
    p = await catalog(`/api/v1/products/${encodeURIComponent(p.variant_of)}`);
  }
  const message = h('div', { class: 'message', hidden: true });
  const price = h('p', { class: 'price big', id: 'product-price' });
  const stock = h('p', { id: 'product-stock' });
  const sku = h('p', { class: 'muted', id: 'product-sku' });
  const qty = h('input', { id: 'qty', name: 'quantity', type: 'number', min: 1, value: 1, inputmode: 'numeric' });
  const add = h('button', { type: 'submit' }, 'Add to cart');
  const show = (item) => {
    const available = item && item.stock ? item.stock.available : 0;
    mount(price, money((item && item.price) || p.price));
    mount(stock, item ? stockBadge(available) : h('span', { class: 'stock stock-out' }, 'Not sold in this combination'));
    sku.textContent = `SKU ${(item || p).sku}`;
    qty.max = String(Math.max(1, available));
    add.disabled = available <= 0;
    add.textContent = available > 0 ? 'Add to cart' : (item ? 'Sold out' : 'Unavailable');
  };
  const picker = hasVariants(p) ? variantPicker(p, wanted, (v) => {
    show(v);
    if (v) history.replaceState(null, '', `${location.pathname}?variant=${encodeURIComponent(v.id)}`);
  }) : null;
  show(picker ? picker.current() : p);
  const form = h('form', { class: 'buy' },
    h('div', { class: 'field qty' }, h('label', { for: 'qty' }, 'Quantity'), qty),
    add);
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    if (!session.signedIn) {
      go(`/login?next=${encodeURIComponent(location.pathname + location.search)}`);
      return;
    }
    const item = picker ? picker.current() : p;
    if (!item) return;
    busy(add, async () => {
      try {
        const n = Number(qty.value);
        const current = await session.call('GET', '/api/v1/cart');
        const line = (current.items || []).find((it) => it.product_id === item.id);
        await session.call('PUT', `/api/v1/cart/items/${encodeURIComponent(item.id)}`, { body: { quantity: (line ? line.quantity : 0) + n } });
        track.addedToCart({ id: item.id, merchant_id: p.merchant_id }, n);
        const options = picker ? optionsText(item.options) : '';
        showInfo(message, h('span', {}, `Added ${n} × ${p.name}${options ? ` (${options})` : ''} to your cart. `, h('a', { href: '/cart' }, 'View cart')));
        refreshCartCount();
      } catch (err) {
        showError(message, err, form);
      }
    });
  });
  let rating = ratingSummary(p.rating);
  const reviews = await reviewsSection(p, (r) => {
    p.rating = r;
    const next = ratingSummary(r);
    rating.replaceWith(next);
    rating = next;
  });
  return h('div', {}, h('article', { class: 'product-page' },
    h('div', { class: 'product-media' }, productImage(p, 'product-image')),
    h('div', { class: 'product-info' },
      h('nav', { class: 'crumbs', 'aria-label': 'Breadcrumb' },
        h('a', { href: '/' }, 'Shop'), ' › ',
        h('a', { href: `/search?category=${encodeURIComponent(p.category)}` }, p.category)),
      h('h1', {}, p.name),
      rating,
      price, stock,
      picker ? picker.element : null,
      form, message,
      h('h2', {}, 'About this product'),
      h('p', { class: 'description' }, p.description || 'No description yet.'),
      sku)),
    h('div', { class: 'panel product-reviews' }, reviews));
}
