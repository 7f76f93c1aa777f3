// A small history-API router: links inside the app change the view
// without a page load, the back button works, and every view gets an
// AbortSignal that fires when the user navigates away (to stop polling
// and streams).

import { h, mount } from './ui.js';

export class Router {
  /**
   * @param {Array<[RegExp, Function]>} routes view functions by path
   * @param {HTMLElement} outlet where views are shown
   * @param {string} base paths outside base are full page loads
   */
  constructor(routes, outlet, base = '/') {
    this.routes = routes;
    this.outlet = outlet;
    this.base = base;
    this.controller = null;
    this.listeners = [];
  }

  /** Calls fn(path) after each navigation (to update the nav). */
  onNavigate(fn) { this.listeners.push(fn); }

  start() {
    window.addEventListener('popstate', () => this.render());
    document.addEventListener('click', (e) => {
      const a = e.target.closest('a[href]');
      if (!a || e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
      if (a.target || a.hasAttribute('download') || a.origin !== location.origin) return;
      if (!this.owns(a.pathname)) return;
      e.preventDefault();
      this.go(a.pathname + a.search);
    });
    return this.render();
  }

  owns(path) {
    if (this.base === '/') return !path.startsWith('/merchant') && !path.startsWith('/api/') && !path.startsWith('/assets/');
    return path === this.base || path.startsWith(`${this.base}/`);
  }

  /** Shows the view of path, adding a history entry unless replace. */
  go(path, { replace = false } = {}) {
    if (replace) history.replaceState(null, '', path);
    else history.pushState(null, '', path);
    window.scrollTo(0, 0);
    return this.render();
  }

  async render() {
    this.controller?.abort();
    const controller = new AbortController();
    this.controller = controller;
    const path = location.pathname;
    const params = new URLSearchParams(location.search);
    this.listeners.forEach((fn) => fn(path));
    for (const [pattern, view] of this.routes) {
      const m = pattern.exec(path);
      if (!m) continue;
      this.outlet.setAttribute('aria-busy', 'true');
      try {
        const node = await view({ match: m, params, signal: controller.signal, router: this });
        if (controller.signal.aborted) return;
        mount(this.outlet, node);
      } catch (err) {
        if (controller.signal.aborted) return;
        mount(this.outlet, h('section', { class: 'panel' },
          h('h1', {}, 'Something went wrong'),
          h('p', { class: 'message message-error', role: 'alert' }, err.detail || err.message || String(err))));
      } finally {
        if (!controller.signal.aborted) this.outlet.removeAttribute('aria-busy');
      }
      this.focusHeading();
      return;
    }
    mount(this.outlet, h('section', { class: 'panel' }, h('h1', {}, 'Page not found'),
      h('p', {}, h('a', { href: this.base }, 'Back to the start'))));
    this.focusHeading();
  }

  focusHeading() {
    const h1 = this.outlet.querySelector('h1');
    if (!h1) return;
    document.title = `${h1.textContent} · Mercato`;
    h1.setAttribute('tabindex', '-1');
    h1.focus({ preventScroll: true });
  }
}
