// A product's reviews in the console, each with a reply form until the
// merchant has answered it. Texts are shoppers' words: text nodes only.

import { h, mount, dateTime, field, showError, busy } from '../ui.js';
import { session } from './app.js';
import { request } from '../api.js';

function stars(n) { return '★'.repeat(n) + '☆'.repeat(5 - n); }

/** The reviews panel of product p, with a close button calling onClose. */
export async function reviewsPanel(p, onClose) {
  const list = h('ul', { class: 'reviews', id: 'merchant-reviews' });
  const message = h('div', { class: 'message', hidden: true });
  const more = h('button', { type: 'button', class: 'secondary', hidden: true }, 'More reviews');
  let cursor = '';
  const load = async () => {
    try {
      const page = await request('GET', `/api/v1/products/${encodeURIComponent(p.id)}/reviews`, { query: { limit: 20, cursor } });
      for (const r of page.items || []) list.append(reviewItem(p, r));
      cursor = page.next_cursor || '';
      more.hidden = !cursor;
      if (!list.children.length) list.append(h('li', { class: 'empty' }, 'No reviews yet.'));
    } catch (err) {
      showError(message, err);
    }
  };
  more.addEventListener('click', () => busy(more, load));
  await load();
  const r = p.rating || { average: 0, count: 0 };
  return h('section', { class: 'panel reviews-panel', id: 'reviews-panel', 'data-product-id': p.id, 'aria-labelledby': 'reviews-panel-h' },
    h('div', { class: 'dash-head' },
      h('h2', { id: 'reviews-panel-h' }, `Reviews of ${p.name}`),
      h('span', { class: 'muted' }, r.count ? `${Number(r.average).toFixed(1)} of 5 from ${r.count}` : 'No ratings yet'),
      h('button', { type: 'button', class: 'secondary small', onclick: onClose }, 'Close')),
    message, list, more);
}

function reviewItem(p, r) {
  const item = h('li', { class: 'review', 'data-review-id': r.id });
  const body = [
    h('p', { class: 'review-head' },
      h('span', { class: 'stars', 'aria-label': `${r.rating} out of 5` }, stars(r.rating)),
      h('span', { class: 'muted' }, dateTime(r.created_at))),
    h('p', { class: 'review-text' }, r.text),
  ];
  if (r.reply) {
    return mount(item, body, h('div', { class: 'review-reply' },
      h('p', { class: 'muted' }, `Your reply · ${dateTime(r.reply.created_at)}`),
      h('p', { class: 'reply-text' }, r.reply.text)));
  }
  const message = h('div', { class: 'message', hidden: true });
  const submit = h('button', { type: 'submit', class: 'small' }, 'Reply');
  const form = h('form', { class: 'reply-form', novalidate: true },
    field('Your reply', { name: 'text', id: `reply-${r.id}`, multiline: true, maxlength: 2000, required: true }),
    message, h('p', { class: 'actions' }, submit));
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    const text = form.elements.text.value.trim();
    if (!text) {
      showError(message, { detail: 'Write your reply first.', errors: [{ field: 'text', message: 'Write a few words' }] }, form);
      return;
    }
    busy(submit, async () => {
      try {
        const answered = await session.call('POST',
          `/api/v1/merchant/products/${encodeURIComponent(p.id)}/reviews/${encodeURIComponent(r.id)}/reply`, { body: { text } });
        item.replaceWith(reviewItem(p, answered || { ...r, reply: { text, created_at: new Date().toISOString() } }));
      } catch (err) {
        showError(message, err, form);
      }
    });
  });
  return mount(item, body, form);
}
