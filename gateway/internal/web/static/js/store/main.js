// The storefront's entry point: routes and the header.

import { Router } from '../router.js';
import { app, session, renderAccount, refreshCartCount } from './app.js';
import { home, search, product } from './browse.js';
import { cart } from './cart.js';
import { checkout } from './checkout.js';
import { order, orders } from './orders.js';
import { login, register } from './account.js';
import { account } from './addresses.js';

const routes = [
  [/^\/$/, home],
  [/^\/search$/, search],
  [/^\/product\/([^/]+)$/, product],
  [/^\/cart$/, cart],
  [/^\/checkout$/, checkout],
  [/^\/orders$/, orders],
  [/^\/orders\/([^/]+)$/, order],
  [/^\/login$/, login],
  [/^\/register$/, register],
  [/^\/account$/, account],
];

app.router = new Router(routes, document.getElementById('main'), '/');

document.getElementById('searchbar').addEventListener('submit', (e) => {
  e.preventDefault();
  const q = e.target.elements.q.value.trim();
  app.router.go(`/search${q ? `?q=${encodeURIComponent(q)}` : ''}`);
});
app.router.onNavigate((path) => {
  const q = new URLSearchParams(location.search).get('q');
  if (path === '/search') document.getElementById('searchbar-q').value = q || '';
});

session.onChange(() => { renderAccount(); refreshCartCount(); });
renderAccount();
await session.restore();
app.router.start();
