// The page's only way to hemalink: the public API with the token the technologist signed in with,
// kept in this tab's sessionStorage (gone when the tab closes).

const TOKEN_KEY = 'hemalink.token';

export class ApiError extends Error {
  constructor(status, code, message, errors) {
    super(message);
    this.status = status;
    this.code = code;
    this.errors = errors;  // each error's place, when the API lists them (rules_invalid)
  }
}

export const session = {
  token: () => sessionStorage.getItem(TOKEN_KEY) || '',
  keep: (token) => sessionStorage.setItem(TOKEN_KEY, token),
  forget: () => sessionStorage.removeItem(TOKEN_KEY),
  user: null,  // {user, role} once signed in
};

const RANK = {viewer: 0, technologist: 1, admin: 2};

// The signed-in role is at least `role`: what is offered, not what is allowed (the API decides).
export function may(role) {
  return session.user !== null && RANK[session.user.role] >= RANK[role];
}

export async function call(method, path, body) {
  const headers = {Authorization: `Bearer ${session.token()}`};
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  let response;
  try {
    response = await fetch(path, {
      method, headers, body: body === undefined ? undefined : JSON.stringify(body),
      cache: 'no-store', credentials: 'omit',
    });
  } catch (e) {
    throw new ApiError(0, 'unreachable', `hemalink did not answer (${e.message})`);
  }
  const text = await response.text();
  let data = null;
  try {
    data = text ? JSON.parse(text) : null;
  } catch {
    throw new ApiError(response.status, 'bad_answer', `${method} ${path}: not JSON (${response.status})`);
  }
  if (!response.ok) {
    const error = (data && data.error) || {};
    throw new ApiError(response.status, error.code || 'error', error.message || `${response.status}`, error.errors);
  }
  return data;
}

export const get = (path) => call('GET', path);
export const post = (path, body) => call('POST', path, body);

export function query(parameters) {
  const q = new URLSearchParams();
  for (const [key, value] of Object.entries(parameters)) {
    if (value !== undefined && value !== null && value !== '') q.set(key, value);
  }
  const text = q.toString();
  return text ? `?${text}` : '';
}

// The live events: calls `onEvent` with each, reconnects after a loss (resuming after the last
// sequence number seen), and reports the state with `onState('live' | 'reconnecting')`; 'live'
// again after each reconnect, when what the page told the server (its presence) is to be told
// again: the server forgot the old socket. Returns the function that stops listening, with
// `send(message)` on it: a message to the server (JSON), false when there is no socket open now.
export function listen(onEvent, onState, open = openSocket) {
  let last = null;
  let socket = null;
  let stopped = false;
  let wait = 500;
  const connect = () => {
    if (stopped) return;
    const since = last === null ? '' : `&since=${last}`;
    socket = open(`/api/v1/events?access_token=${encodeURIComponent(session.token())}${since}`);
    socket.onopen = () => {
      wait = 500;
      onState('live');
    };
    socket.onmessage = (message) => {
      let event;
      try {
        event = JSON.parse(message.data);
      } catch {
        return;
      }
      if (typeof event.seq === 'number') last = event.seq;
      onEvent(event);
    };
    socket.onclose = () => {
      if (stopped) return;
      onState('reconnecting');
      setTimeout(connect, wait);
      wait = Math.min(wait * 2, 10000);
    };
  };
  connect();
  const stop = () => {
    stopped = true;
    if (socket) socket.close();
  };
  stop.send = (message) => {
    if (!socket || socket.readyState !== 1) return false;  // 1: OPEN
    socket.send(JSON.stringify(message));
    return true;
  };
  return stop;
}

function openSocket(path) {
  const scheme = location.protocol === 'https:' ? 'wss' : 'ws';
  return new WebSocket(`${scheme}://${location.host}${path}`);
}
