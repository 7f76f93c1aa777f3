// Talking to Mercato's public API: JSON bodies, RFC 9457 problem answers
// turned into ApiError, access tokens kept in memory only, the refresh
// token in localStorage, and one refresh-and-retry on a 401.

/** An error answer of the API, or a network failure (status 0). */
export class ApiError extends Error {
  constructor(status, problem) {
    super(problem.detail || problem.title || `Request failed (${status})`);
    this.status = status;
    this.code = problem.code || '';
    this.title = problem.title || '';
    this.detail = problem.detail || '';
    this.errors = Array.isArray(problem.errors) ? problem.errors : [];
    this.requestId = problem.request_id || '';
    this.retryAfter = 0;
  }
}

/** A session: the signed-in user of one app (storefront or console). */
export class Session {
  /** @param {string} storageKey where the refresh token is kept */
  constructor(storageKey) {
    this.storageKey = storageKey;
    this.access = '';
    this.user = null;
    this.refreshing = null;
    this.listeners = new Set();
  }

  get signedIn() { return this.user !== null; }

  /** Calls fn(user) whenever the user changes (sign in, out, refresh). */
  onChange(fn) { this.listeners.add(fn); }

  /** Adopts a register, login or refresh answer. */
  adopt(tokens) {
    this.access = tokens.access_token;
    this.user = tokens.user || this.user;
    try { localStorage.setItem(this.storageKey, tokens.refresh_token); } catch { /* private mode */ }
    this.listeners.forEach((fn) => fn(this.user));
  }

  clear() {
    this.access = '';
    this.user = null;
    try { localStorage.removeItem(this.storageKey); } catch { /* private mode */ }
    this.listeners.forEach((fn) => fn(null));
  }

  /**
   * Gets a fresh token pair with the stored refresh token. Concurrent
   * callers share one request: a refresh token is single use, and using it
   * twice would revoke the whole session.
   */
  refresh() {
    if (!this.refreshing) {
      this.refreshing = this.doRefresh().finally(() => { this.refreshing = null; });
    }
    return this.refreshing;
  }

  async doRefresh() {
    let token = '';
    try { token = localStorage.getItem(this.storageKey) || ''; } catch { /* private mode */ }
    if (!token) return false;
    try {
      const tokens = await request('POST', '/api/v1/auth/refresh', { body: { refresh_token: token } });
      this.adopt(tokens);
      return true;
    } catch (err) {
      if (err.status === 400 || err.status === 401) this.clear();
      return false;
    }
  }

  /** Restores the session of a previous visit, if any. */
  restore() { return this.refresh(); }

  async login(email, password) {
    this.adopt(await request('POST', '/api/v1/auth/login', { body: { email, password } }));
  }

  async register(fields) {
    this.adopt(await request('POST', '/api/v1/auth/register', { body: fields }));
  }

  async logout() {
    let token = '';
    try { token = localStorage.getItem(this.storageKey) || ''; } catch { /* private mode */ }
    const access = this.access;
    this.clear();
    if (token) {
      try {
        await request('POST', '/api/v1/auth/logout', { body: { refresh_token: token }, token: access });
      } catch { /* signed out locally either way */ }
    }
  }

  /**
   * Calls the API as this user; on a 401 refreshes the tokens once and
   * retries. Options: body (JSON), headers, query (object).
   */
  async call(method, path, opts = {}) {
    if (!this.access) await this.refresh();
    try {
      return await request(method, path, { ...opts, token: this.access });
    } catch (err) {
      if (err.status !== 401 || !(await this.refresh())) throw err;
      return request(method, path, { ...opts, token: this.access });
    }
  }

  /** The Authorization header value, refreshing first when needed. */
  async authorization() {
    if (!this.access) await this.refresh();
    return this.access ? `Bearer ${this.access}` : '';
  }
}

/** Builds a query string from the non-empty values of params. */
export function query(params) {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) {
    if (v !== undefined && v !== null && v !== '' && v !== false) q.set(k, String(v));
  }
  const s = q.toString();
  return s ? `?${s}` : '';
}

/** One HTTP round trip; resolves to the decoded JSON body (or null). */
export async function request(method, path, { body, headers = {}, token = '', query: params } = {}) {
  const init = { method, headers: { Accept: 'application/json', ...headers } };
  if (token) init.headers.Authorization = `Bearer ${token}`;
  if (body !== undefined) {
    init.headers['Content-Type'] = 'application/json';
    init.body = JSON.stringify(body);
  }
  let resp;
  try {
    resp = await fetch(path + (params ? query(params) : ''), init);
  } catch {
    throw new ApiError(0, { title: 'Network error', detail: 'Cannot reach Mercato. Check your connection and try again.' });
  }
  const text = await resp.text();
  let data = null;
  if (text) {
    try { data = JSON.parse(text); } catch { data = null; }
  }
  if (!resp.ok) {
    const problem = data && typeof data === 'object' ? data : { title: resp.statusText };
    if (!problem.detail) problem.detail = fallbackDetail(resp.status);
    const err = new ApiError(resp.status, problem);
    err.retryAfter = Number(resp.headers.get('Retry-After')) || 0;
    throw err;
  }
  return data;
}

function fallbackDetail(status) {
  if (status === 401) return 'Please sign in to continue.';
  if (status === 403) return 'You are not allowed to do that.';
  if (status === 404) return 'Not found.';
  if (status === 429) return 'Too many requests; please wait a moment and try again.';
  if (status >= 500) return 'The service is temporarily unavailable; please try again shortly.';
  return `Request failed (${status}).`;
}
