// The merchant console's entry point: routes, tabs and the account box.

import { Router } from '../router.js';
import { app, session, renderAccount } from './app.js';
import { dashboard } from './dashboard.js';
import { products } from './products.js';
import { orders } from './orders.js';
import { discounts } from './discounts.js';
import { shipping } from './shipping.js';

const routes = [
  [/^\/merchant\/?$/, dashboard],
  [/^\/merchant\/products$/, products],
  [/^\/merchant\/orders$/, orders],
  [/^\/merchant\/discounts$/, discounts],
  [/^\/merchant\/shipping$/, shipping],
];

app.router = new Router(routes, document.getElementById('main'), '/merchant');
app.router.onNavigate((path) => {
  for (const a of document.querySelectorAll('#tabs a')) {
    const current = a.pathname === path || (a.dataset.tab === 'dashboard' && path === '/merchant/');
    if (current) a.setAttribute('aria-current', 'page');
    else a.removeAttribute('aria-current');
  }
});
session.onChange(renderAccount);
renderAccount();
await session.restore();
app.router.start();
