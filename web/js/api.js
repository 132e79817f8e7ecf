// The one place that talks to the Boxoffice API: base URL from config.json, the bearer
// token, the contract's error envelope turned into ApiError.
let config = null;
export async function loadConfig() {
  if (!config) {
    const res = await fetch('config.json', { cache: 'no-store' }).catch(() => null);
    config = res && res.ok ? await res.json() : JSON.parse(localStorage.getItem('config') || '{}');
    localStorage.setItem('config', JSON.stringify(config));
  }
  return config;
}
export const getConfig = () => config;

export class ApiError extends Error {
  constructor(status, body, headers) {
    const e = (body && body.error) || {};
    super(e.message || `HTTP ${status}`);
    this.status = status; this.code = e.code || (status === 0 ? 'NETWORK' : 'HTTP'); this.details = e.details || {};
    this.headers = headers;
  }
}

export const session = {
  get token() { return localStorage.getItem('token'); },
  get claims() {
    const t = this.token; if (!t) return null;
    try {
      const c = JSON.parse(atob(t.split('.')[1].replace(/-/g, '+').replace(/_/g, '/')));
      if (c.exp && c.exp * 1000 < Date.now()) return null;
      return c;
    } catch { return null; }
  },
  get roles() { const c = this.claims; return c ? (c.roles || c['cognito:groups'] || []) : []; },
  set(token) { localStorage.setItem('token', token); },
  clear() { localStorage.removeItem('token'); },
};

export async function api(method, path, { body, headers = {}, etag, raw = false, auth = true, newRoute = false } = {}) {
  const cfg = await loadConfig();
  const h = { ...headers };
  if (body !== undefined) h['Content-Type'] = 'application/json';
  if (auth && session.token) h.Authorization = `Bearer ${session.token}`;
  if (etag) h['If-None-Match'] = etag;
  let res;
  try {
    res = await fetch(cfg.api_url + path, { method, headers: h, body: body === undefined ? undefined : JSON.stringify(body), cache: 'no-store' });
  } catch (err) {
    // A browser hides why a request failed. A route the server lacks fails its CORS
    // preflight (no 2xx), which looks like a network error: for routes newer than some
    // servers (newRoute), a /health that answers means the route is missing. Never for
    // anything else: a lost answer to a payment must stay "unknown, retry with the same key".
    if (newRoute && navigator.onLine && await serverIsUp(cfg)) {
      throw new ApiError(404, { error: { code: 'ROUTE_UNAVAILABLE', message: 'This server does not offer this action.', details: { resource: 'route' } } });
    }
    throw new ApiError(0, { error: { code: 'NETWORK', message: 'The server could not be reached (offline?).' } });
  }
  if (raw) return res;
  if (res.status === 304) return { status: 304, etag, headers: res.headers };
  const text = await res.text();
  let data = null;
  try { data = text ? JSON.parse(text) : null; } catch { data = null; }
  if (!res.ok) throw new ApiError(res.status, data, res.headers);
  return { status: res.status, data, etag: res.headers.get('ETag'), headers: res.headers };
}

async function serverIsUp(cfg) {
  try { return (await fetch(`${cfg.api_url}/health`, { cache: 'no-store' })).ok; } catch { return false; }
}

export const get = (path, opts) => api('GET', path, opts).then((r) => r.data);
export const post = (path, body, opts = {}) => api('POST', path, { ...opts, body }).then((r) => r.data);

export function newKey() {
  return (crypto.randomUUID && crypto.randomUUID()) || `${Date.now()}-${Math.random().toString(16).slice(2)}`;
}

export function qs(params) {
  const p = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== null && v !== '') p.set(k, v);
  const s = p.toString();
  return s ? `?${s}` : '';
}
