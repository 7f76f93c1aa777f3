// The shopper's account page: the address book (add, edit, delete, make
// default), and the helpers the checkout uses to offer saved addresses.

import { h, mount, field, showError, showInfo, busy, formValues, clearErrors } from '../ui.js';
import { session, signInFirst } from './app.js';

const base = '/api/v1/users/me/addresses';

/** The fields of an address, in form order: [name, label, input attributes]. */
export const addressFields = [
  ['name', 'Full name', { autocomplete: 'name', required: true }],
  ['line1', 'Address line 1', { autocomplete: 'address-line1', required: true }],
  ['line2', 'Address line 2 (optional)', { autocomplete: 'address-line2' }],
  ['city', 'City', { autocomplete: 'address-level2', required: true }],
  ['region', 'Region / state', { autocomplete: 'address-level1' }],
  ['postal_code', 'Postal code', { autocomplete: 'postal-code', required: true }],
  ['country', 'Country (2 letters)', { autocomplete: 'country', required: true, maxlength: 2 }],
];

/** The saved addresses, default first; [] when they cannot be read. */
export async function savedAddresses() {
  try {
    const page = await session.call('GET', base);
    const items = (page && page.items) || [];
    return [...items.filter((a) => a.default), ...items.filter((a) => !a.default)];
  } catch {
    return [];
  }
}

/** One line for people: "Ada Lovelace, 1 Main St, 12345 Springfield, US". */
export function addressLine(a) {
  return [a.name, a.line1, a.line2, [a.postal_code, a.city].filter(Boolean).join(' '), a.region, a.country]
    .filter(Boolean).join(', ');
}

/** The account page: who is signed in and the address book. */
export async function account() {
  const gate = signInFirst('manage your account');
  if (gate) return gate;
  const message = h('div', { class: 'message', hidden: true, id: 'addresses-message' });
  const list = h('ul', { class: 'address-list', id: 'address-list', 'aria-label': 'Saved addresses' });
  const editor = addressForm(message, () => reload());

  const reload = async () => {
    try {
      const page = await session.call('GET', base);
      const items = (page && page.items) || [];
      mount(list, items.length ? items.map((a) => addressItem(a, { message, editor, reload }))
        : h('li', { class: 'empty' }, 'No saved addresses yet.'));
    } catch (err) {
      showError(message, err);
    }
  };
  await reload();
  const u = session.user;
  return h('section', { class: 'panel' },
    h('h1', {}, 'Your account'),
    h('p', { class: 'muted' }, `Signed in as ${u.name || ''} <${u.email || ''}>`),
    h('h2', {}, 'Addresses'),
    message, list, editor.element);
}

function addressItem(a, { message, editor, reload }) {
  const act = (button, fn, done) => busy(button, async () => {
    try {
      await fn();
      await reload();
      showInfo(message, done);
    } catch (err) {
      showError(message, err);
    }
  });
  const makeDefault = h('button', { type: 'button', class: 'link make-default' }, 'Make default');
  makeDefault.addEventListener('click', () => act(makeDefault,
    () => session.call('POST', `${base}/${encodeURIComponent(a.id)}/default`), 'Default address changed.'));
  const remove = h('button', { type: 'button', class: 'link danger-text delete-address' }, 'Delete');
  remove.addEventListener('click', () => {
    if (!window.confirm(`Delete the address ${addressLine(a)}?`)) return;
    act(remove, () => session.call('DELETE', `${base}/${encodeURIComponent(a.id)}`), 'Address deleted.');
  });
  return h('li', { class: 'address-item', 'data-address-id': a.id },
    h('address', {}, addressLine(a)),
    a.default ? h('span', { class: 'badge badge-paid default-badge' }, 'Default') : null,
    h('span', { class: 'inline-form' },
      h('button', { type: 'button', class: 'link edit-address', onclick: () => editor.edit(a) }, 'Edit'),
      a.default ? null : makeDefault,
      remove));
}

/** The add/edit form; edit(a) fills it for a PUT of a. */
function addressForm(pageMessage, saved) {
  const message = h('div', { class: 'message', hidden: true });
  const title = h('summary', {}, 'Add an address');
  const submit = h('button', { type: 'submit', id: 'address-save' }, 'Save address');
  const cancel = h('button', { type: 'button', class: 'secondary', hidden: true }, 'Stop editing');
  const form = h('form', { class: 'address-form', novalidate: true, id: 'address-form' },
    h('div', { class: 'row' }, addressFields.map(([name, label, opts]) => field(label, { name, id: `addr-${name}`, ...opts }))),
    message,
    h('p', { class: 'actions' }, submit, cancel));
  const details = h('details', { class: 'panel editor' }, title, form);
  let editing = null;

  const reset = () => {
    editing = null;
    form.reset();
    clearErrors(form);
    message.hidden = true;
    title.textContent = 'Add an address';
    cancel.hidden = true;
  };
  cancel.addEventListener('click', reset);
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    busy(submit, async () => {
      const body = formValues(form);
      body.country = (body.country || '').toUpperCase();
      try {
        if (editing) await session.call('PUT', `${base}/${encodeURIComponent(editing.id)}`, { body });
        else await session.call('POST', base, { body });
        showInfo(pageMessage, editing ? 'Address saved.' : 'Address added.');
        reset();
        details.open = false;
        await saved();
      } catch (err) {
        showError(message, err, form);
      }
    });
  });
  return {
    element: details,
    edit(a) {
      reset();
      editing = a;
      title.textContent = 'Edit address';
      cancel.hidden = false;
      for (const [name] of addressFields) form.elements[name].value = a[name] || '';
      details.open = true;
      form.elements.name.focus();
    },
  };
}
