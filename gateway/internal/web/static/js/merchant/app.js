// The console's shared state: the merchant's session and the sign-in gate.

import { Session } from '../api.js';
import { h, mount, field, showError, busy, formValues } from '../ui.js';

export const session = new Session('mercato.merchant.refresh');

/** The router, set by main.js. */
export const app = { router: null };

export function go(path, opts) { return app.router.go(path, opts); }

export function isMerchant() {
  return session.signedIn && (session.user.roles || []).includes('merchant');
}

/**
 * Returns the sign-in and sign-up forms when the visitor is not a signed-in
 * merchant (the view shows them instead of its content); null otherwise.
 */
export function merchantFirst() {
  if (isMerchant()) return null;
  const wrongRole = session.signedIn;
  return h('div', { class: 'auth-split' },
    h('section', { class: 'panel' },
      h('h1', {}, 'Merchant sign in'),
      wrongRole ? h('p', { class: 'message message-error', role: 'alert' },
        'This account is a shopper account. Sign in with a merchant account to use the console.') : null,
      signInForm()),
    h('section', { class: 'panel' }, h('h2', {}, 'Open a shop'), signUpForm()));
}

function signInForm() {
  const message = h('div', { class: 'message', hidden: true });
  const submit = h('button', { type: 'submit' }, 'Sign in');
  const form = h('form', { class: 'auth-form', novalidate: true, id: 'merchant-login' },
    field('Email', { name: 'email', type: 'email', autocomplete: 'username', required: true, id: 'login-email' }),
    field('Password', { name: 'password', type: 'password', autocomplete: 'current-password', required: true, id: 'login-password' }),
    message, submit);
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    busy(submit, async () => {
      try {
        const v = formValues(form);
        await session.login(v.email, v.password);
        app.router.render();
      } catch (err) {
        showError(message, err, form);
      }
    });
  });
  return form;
}

function signUpForm() {
  const message = h('div', { class: 'message', hidden: true });
  const submit = h('button', { type: 'submit', class: 'secondary' }, 'Create merchant account');
  const form = h('form', { class: 'auth-form', novalidate: true, id: 'merchant-register' },
    field('Store name', { name: 'store_name', required: true }),
    field('Your name', { name: 'name', autocomplete: 'name', required: true }),
    field('Email', { name: 'email', type: 'email', autocomplete: 'username', required: true }),
    field('Password', { name: 'password', type: 'password', autocomplete: 'new-password', required: true, hint: 'At least 8 characters.' }),
    message, submit);
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    busy(submit, async () => {
      try {
        await session.register({ ...formValues(form), role: 'merchant' });
        app.router.render();
      } catch (err) {
        showError(message, err, form);
      }
    });
  });
  return form;
}

export function renderAccount() {
  const box = document.getElementById('account');
  document.getElementById('tabs').hidden = !isMerchant();
  if (!session.signedIn) { mount(box); return; }
  const u = session.user;
  mount(box,
    h('span', { class: 'who' }, u.store_name || u.name || u.email),
    h('button', {
      type: 'button', class: 'link', onclick: async () => { await session.logout(); app.router.render(); },
    }, 'Sign out'));
}
