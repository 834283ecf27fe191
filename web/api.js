// The page's way to seedd: JSON-RPC on /rpc with the session cookie (sent by the browser) and
// the session's CSRF token, which every changing call must carry.
let csrf = '';
let onEnded = () => {};

export class ApiError extends Error {
  constructor(message, { code = null, status = 0 } = {}) {
    super(message);
    this.code = code;
    this.status = status;
  }
}

export function setSession(session) { csrf = session ? session.csrf : ''; }
/** Called with the server's message when a call finds the session ended (expired, logged out). */
export function whenSessionEnds(callback) { onEnded = callback; }

async function bodyOf(res) {
  try { return await res.json(); } catch { return null; }
}

/** Calls `method` and returns its result; throws ApiError with the server's message. */
export async function call(method, params = {}) {
  let res;
  try {
    res = await fetch('/rpc', {
      method: 'POST',
      credentials: 'same-origin',
      headers: { 'Content-Type': 'application/json', 'X-CSRF-Token': csrf },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method, params }),
    });
  } catch (e) {
    throw new ApiError('seedd did not answer: ' + e.message);
  }
  const body = await bodyOf(res);
  if (res.status === 401) {
    const message = (body && body.error) || 'log in again';
    onEnded(message);
    throw new ApiError(message, { status: 401 });
  }
  if (res.status === 413) throw new ApiError('seedd refused the request: ' + ((body && body.error) || 'too large'), { status: 413 });
  if (!res.ok) throw new ApiError((body && body.error) || `HTTP ${res.status}`, { status: res.status });
  if (body.error) throw new ApiError(body.error.message, { code: body.error.code, status: res.status });
  return body.result;
}

/** GET /ui/session: the session, or null with the reason (none, ended) and the server's message. */
export async function currentSession() {
  const res = await fetch('/ui/session', { credentials: 'same-origin' });
  const body = await bodyOf(res);
  if (res.ok && body.logged_in) return { session: body };
  return { session: null, reason: body ? body.session : 'none', message: body ? body.error : '' };
}

export async function login(user, password) {
  const res = await fetch('/ui/login', {
    method: 'POST',
    credentials: 'same-origin',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ user, password }),
  });
  const body = await bodyOf(res);
  if (!res.ok) {
    let message = (body && body.error) || `HTTP ${res.status}`;
    const retry = res.headers.get('Retry-After');
    if (res.status === 429 && retry) message += ` (in ${retry} s)`;
    throw new ApiError(message, { status: res.status });
  }
  return body;
}

export async function logout() {
  await fetch('/ui/logout', { method: 'POST', credentials: 'same-origin', headers: { 'X-CSRF-Token': csrf } });
  csrf = '';
}
