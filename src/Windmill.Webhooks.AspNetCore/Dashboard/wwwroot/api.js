// The dashboard's only way to the server: the documented JSON routes of MapWindmillWebhooks, plus its own session route.
const meta = (name) => document.querySelector(`meta[name="windmill-${name}"]`).content;

export const config = Object.freeze({ base: meta('base'), api: meta('api'), workspace: meta('workspace') });

// Sent with every call: a cross-site form or link cannot add it, so the server takes the cookie only with it (CSRF).
const csrfHeader = { 'X-Windmill-Csrf': '1' };

/** An answer other than 2xx; `body` is the parsed JSON or Windmill's text error. */
export class ApiError extends Error {
  constructor(status, body) {
    super(typeof body === 'string' && body ? body : `HTTP ${status}`);
    this.status = status;
    this.body = body;
  }
}

const listeners = new Set();
/** Called with no argument whenever the server says the visitor is not signed in. */
export const onSignedOut = (listener) => listeners.add(listener);

async function send(url, { method = 'GET', json, query } = {}) {
  const target = new URL(url, location.origin);
  for (const [key, value] of Object.entries(query ?? {})) {
    if (value !== undefined && value !== null && value !== '') target.searchParams.set(key, String(value));
  }
  const headers = { ...csrfHeader, Accept: 'application/json' };
  let body;
  if (json !== undefined) {
    headers['Content-Type'] = 'application/json';
    body = JSON.stringify(json);
  }
  const response = await fetch(target, { method, headers, body, credentials: 'same-origin', cache: 'no-store' });
  const type = response.headers.get('Content-Type') ?? '';
  const text = await response.text();
  const parsed = type.includes('json') && text ? JSON.parse(text) : text;
  if (!response.ok) {
    if (response.status === 401) listeners.forEach((listener) => listener());
    throw new ApiError(response.status, parsed);
  }
  return parsed;
}

/** Calls `{api}{path}`; `path` starts with `/`. */
export const api = (path, options) => send(config.api + path, options);

/** Calls a route of the dashboard's workspace: `{api}/w/{workspace}{path}`. */
export const workspaceApi = (path, options) => api(`/w/${encodeURIComponent(config.workspace)}${path}`, options);

/** A script path in a URL, as Windmill's client writes it: segments kept, each one encoded. */
export const pathInUrl = (path) => path.split('/').map(encodeURIComponent).join('/');

export const session = {
  signIn: (token) => send(`${config.base}/session`, { method: 'POST', json: { token } }),
  signOut: () => send(`${config.base}/session`, { method: 'DELETE' }),
};

/** An absolute URL of the API, as a caller outside the browser would use it. */
export const publicUrl = (path) => new URL(config.api + path, location.origin).href;
