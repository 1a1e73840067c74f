// Requests to the query API with the session cookie; POST and DELETE carry the session's CSRF token.
let csrf = null;
let onSignedOut = () => {};

export function setCsrf(token) {
  csrf = token;
}
export function whenSignedOut(fn) {
  onSignedOut = fn;
}

export class ApiError extends Error {
  constructor(status, message) {
    super(message);
    this.status = status;
  }
}

export async function api(path, { method = 'GET', body } = {}) {
  const headers = { accept: 'application/json' };
  if (method !== 'GET' && csrf) headers['x-csrf-token'] = csrf;
  if (body !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(path, {
    method,
    headers,
    credentials: 'same-origin',
    cache: 'no-store',
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const data = await res.json().catch(() => ({}));
  if (!res.ok) {
    if (res.status === 401 && path !== '/api/session') onSignedOut();
    throw new ApiError(res.status, data.error ?? `HTTP ${res.status}`);
  }
  return data;
}
