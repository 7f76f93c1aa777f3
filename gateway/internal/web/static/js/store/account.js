// Signing in and registering as a shopper.

import { h, field, showError, busy, formValues } from '../ui.js';
import { session, go } from './app.js';

/** Where to go after signing in: ?next= when it is a path of this site. */
export function nextPath(params, fallback = '/') {
  const next = params.get('next') || '';
  return next.startsWith('/') && !next.startsWith('//') ? next : fallback;
}

export function login({ params }) {
  const message = h('div', { class: 'message', hidden: true });
  const submit = h('button', { type: 'submit' }, 'Sign in');
  const form = h('form', { class: 'auth-form', novalidate: true },
    field('Email', { name: 'email', type: 'email', autocomplete: 'username', required: true }),
    field('Password', { name: 'password', type: 'password', autocomplete: 'current-password', required: true }),
    message, submit);
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    busy(submit, async () => {
      try {
        const v = formValues(form);
        await session.login(v.email, v.password);
        go(nextPath(params), { replace: true });
      } catch (err) {
        showError(message, err, form);
      }
    });
  });
  return h('section', { class: 'panel narrow' }, h('h1', {}, 'Sign in'), form,
    h('p', {}, 'New here? ', h('a', { href: `/register${location.search}` }, 'Create an account')));
}

export function register({ params }) {
  const message = h('div', { class: 'message', hidden: true });
  const submit = h('button', { type: 'submit' }, 'Create account');
  const form = h('form', { class: 'auth-form', novalidate: true },
    field('Name', { name: 'name', autocomplete: 'name', required: true }),
    field('Email', { name: 'email', type: 'email', autocomplete: 'username', required: true }),
    field('Password', { name: 'password', type: 'password', autocomplete: 'new-password', required: true, hint: 'At least 8 characters.' }),
    message, submit);
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    busy(submit, async () => {
      try {
        await session.register({ ...formValues(form), role: 'shopper' });
        go(nextPath(params), { replace: true });
      } catch (err) {
        showError(message, err, form);
      }
    });
  });
  return h('section', { class: 'panel narrow' }, h('h1', {}, 'Create your account'), form,
    h('p', {}, 'Already have an account? ', h('a', { href: `/login${location.search}` }, 'Sign in')));
}
