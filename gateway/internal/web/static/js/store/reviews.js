// A product's rating and reviews, and the review form of a signed-in
// shopper. Review and reply texts are other people's words: they are only
// ever put in the page as text nodes (h() children), never as markup.

import { h, mount, dateTime, field, showError, busy } from '../ui.js';
import { session, catalog } from './app.js';

/** "★★★★☆": a rating (0–5, rounded to whole stars) for the eye. */
export function stars(n) {
  const full = Math.max(0, Math.min(5, Math.round(n)));
  return '★'.repeat(full) + '☆'.repeat(5 - full);
}

/** The rating summary of a product: stars, average and count. */
export function ratingSummary(rating) {
  const r = rating || { average: 0, count: 0 };
  if (!r.count) return h('p', { class: 'rating muted', id: 'rating' }, 'No reviews yet');
  const avg = Number(r.average).toFixed(1);
  return h('p', { class: 'rating', id: 'rating', 'data-average': String(r.average), 'data-count': String(r.count) },
    h('span', { class: 'stars', 'aria-hidden': 'true' }, stars(r.average)),
    h('span', { class: 'visually-hidden' }, `Rated ${avg} out of 5. `),
    h('span', { class: 'rating-average' }, avg),
    h('span', { class: 'muted rating-count' }, ` (${r.count} ${r.count === 1 ? 'review' : 'reviews'})`));
}

/** One review: stars, date, text and the shop's reply, all as text. */
export function reviewItem(r) {
  return h('li', { class: 'review', 'data-review-id': r.id },
    h('p', { class: 'review-head' },
      h('span', { class: 'stars', 'aria-label': `${r.rating} out of 5` }, stars(r.rating)),
      h('span', { class: 'muted' }, dateTime(r.created_at))),
    h('p', { class: 'review-text' }, r.text),
    r.reply ? h('div', { class: 'review-reply' },
      h('p', { class: 'muted' }, `Reply from the shop · ${dateTime(r.reply.created_at)}`),
      h('p', { class: 'reply-text' }, r.reply.text)) : null);
}

/**
 * The reviews section of product p; onRated(rating) is called with the
 * product's new rating after the shopper's review is accepted.
 */
export async function reviewsSection(p, onRated) {
  const path = `/api/v1/products/${encodeURIComponent(p.id)}/reviews`;
  const list = h('ul', { class: 'reviews', id: 'reviews', 'aria-label': 'Reviews' });
  const message = h('div', { class: 'message', hidden: true, id: 'reviews-message' });
  const more = h('button', { type: 'button', class: 'secondary', hidden: true }, 'More reviews');
  let cursor = '';
  const load = async () => {
    try {
      const page = await catalog(path, { limit: 10, cursor });
      for (const r of page.items || []) list.append(reviewItem(r));
      cursor = page.next_cursor || '';
      more.hidden = !cursor;
      if (!list.children.length) list.append(h('li', { class: 'empty' }, 'Nobody has reviewed this product yet.'));
    } catch (err) {
      showError(message, err);
    }
  };
  more.addEventListener('click', () => busy(more, load));
  await load();
  const added = (r) => {
    list.querySelector('.empty')?.remove();
    list.prepend(reviewItem(r));
    const old = p.rating || { average: 0, count: 0 };
    const count = old.count + 1;
    onRated({ count, average: Math.round(((old.average * old.count + r.rating) / count) * 100) / 100 });
  };
  return h('section', { class: 'reviews-section', 'aria-labelledby': 'reviews-h' },
    h('h2', { id: 'reviews-h' }, 'Reviews'),
    reviewForm(path, added),
    message, list, more);
}

function reviewForm(path, added) {
  if (!session.signedIn) {
    const next = encodeURIComponent(location.pathname);
    return h('p', { class: 'muted' }, h('a', { href: `/login?next=${next}` }, 'Sign in'), ' to review this product.');
  }
  if (!(session.user.roles || ['shopper']).includes('shopper')) return null;
  const message = h('div', { class: 'message', hidden: true, id: 'review-form-message' });
  const submit = h('button', { type: 'submit', id: 'review-submit' }, 'Post review');
  const ratings = [5, 4, 3, 2, 1].map((n) => h('div', { class: 'radio' },
    h('input', { type: 'radio', name: 'rating', id: `rating-${n}`, value: n, required: true }),
    h('label', { for: `rating-${n}` }, h('span', { 'aria-hidden': 'true' }, stars(n)), ` ${n} of 5`)));
  const form = h('form', { class: 'review-form', id: 'review-form', novalidate: true },
    h('fieldset', { class: 'rating-choice' }, h('legend', {}, 'Your rating'), ratings),
    field('Your review', { name: 'text', id: 'review-text', multiline: true, maxlength: 2000, required: true, hint: 'Up to 2000 characters.' }),
    message, h('p', { class: 'actions' }, submit));
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    const chosen = form.querySelector('input[name="rating"]:checked');
    const text = form.elements.text.value.trim();
    const errors = [];
    if (!chosen) errors.push({ field: 'rating', message: 'Choose 1 to 5 stars' });
    if (!text) errors.push({ field: 'text', message: 'Write a few words' });
    if (errors.length) {
      showError(message, { detail: 'Please complete your review.', errors }, form);
      return;
    }
    busy(submit, async () => {
      try {
        const r = await session.call('POST', path, { body: { rating: Number(chosen.value), text } });
        added(r);
        mount(form, h('p', { class: 'message message-ok', role: 'status', id: 'review-thanks' }, 'Thank you! Your review is posted.'));
      } catch (err) {
        showError(message, { ...err, detail: reviewProblem(err), errors: err.errors }, form);
      }
    });
  });
  return h('div', { class: 'review-editor' }, h('h3', {}, 'Write a review'), form);
}

/** The 403 and 409 answers in the shopper's words, with the service's detail. */
function reviewProblem(err) {
  const detail = err.detail || err.message || '';
  if (err.status === 403) return `You can review this product once you have received it. (${detail})`;
  if (err.status === 409) return `You have already reviewed this product. (${detail})`;
  return detail;
}
