// The storefront's shared state: the shopper's session and the cart badge.

import { Session, request } from '../api.js';
import { h, mount } from '../ui.js';

export const session = new Session('mercato.store.refresh');

/** The router, set by main.js (views use it to navigate). */
export const app = { router: null };

/** Navigates within the storefront. */
export function go(path, opts) { return app.router.go(path, opts); }

/**
 * Returns a sign-in prompt when nobody is signed in, so a view can show it
 * instead of its content; null when signed in.
 */
export function signInFirst(what) {
  if (session.signedIn) return null;
  const next = encodeURIComponent(location.pathname + location.search);
  return h('section', { class: 'panel narrow' },
    h('h1', {}, 'Please sign in'),
    h('p', {}, `Sign in or create an account to ${what}.`),
    h('p', { class: 'actions' },
      h('a', { class: 'button', href: `/login?next=${next}` }, 'Sign in'),
      h('a', { class: 'button secondary', href: `/register?next=${next}` }, 'Create an account')));
}

/** Shows the number of items in the cart next to the cart link. */
export async function refreshCartCount(cart) {
  const badge = document.getElementById('cart-count');
  if (!session.signedIn) { badge.hidden = true; return; }
  try {
    const c = cart || await session.call('GET', '/api/v1/cart');
    const n = (c.items || []).reduce((sum, it) => sum + it.quantity, 0);
    badge.textContent = String(n);
    badge.hidden = n === 0;
    badge.setAttribute('aria-label', `${n} items`);
  } catch {
    badge.hidden = true;
  }
}

/** Public catalog reads need no session. */
export function catalog(path, params) {
  return request('GET', path, { query: params });
}

export function renderAccount() {
  const box = document.getElementById('account');
  if (!session.signedIn) {
    mount(box, h('a', { href: '/login' }, 'Sign in'), h('a', { href: '/register' }, 'Register'));
    return;
  }
  mount(box,
    h('a', { href: '/orders' }, 'Orders'),
    h('a', { href: '/account', class: 'who', id: 'account-link', title: 'Your account and addresses' }, session.user.name || session.user.email),
    h('button', {
      type: 'button', class: 'link', onclick: async () => { await session.logout(); go('/'); },
    }, 'Sign out'));
}
