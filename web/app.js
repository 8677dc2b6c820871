// The technologist's page: sign in with a token, then the pages by the address's #fragment, all
// fed by the public API and kept live by its events.
import {panelHoldingFocus} from './action_panel.js';
import {analyzersPage} from './analyzers.js';
import {ApiError, get, listen, may, session} from './api.js';
import {h} from './dom.js';
import {outboxPage} from './outbox.js';
import {presence} from './presence.js';
import {qcPage} from './qc.js';
import {queuePage} from './queue.js';
import {rulesPage} from './rules.js';
import {validationPage} from './validation.js';
import {specimenPage, specimenSearchPage} from './specimens.js';

const $ = (id) => document.getElementById(id);
let current = null;  // the page shown: {onEvent?, onKey?, onLeave?}
let stopListening = null;

const status = h('p', {class: 'notice', role: 'status', 'aria-live': 'polite'});
const problem = h('p', {class: 'problem', role: 'alert'});

const app = {
  announce(text) {
    status.textContent = text;
  },
  error(text) {
    problem.textContent = text;
    problem.hidden = !text;
  },
  // Who else has a specimen open (presence.js), once signed in: a page calls
  // app.presence.open(specimenRowId) for the card it works on, and null when it leaves.
  presence: null,
  queueCount(n) {
    $('queue-count').textContent = n ? String(n) : '';
    $('queue-count').setAttribute('aria-label', `${n} held`);
  },
};

async function signIn(token) {
  session.keep(token);
  try {
    session.user = await get('/api/v1/me');
  } catch (e) {
    session.forget();
    session.user = null;
    throw e;
  }
}

function signOut() {
  if (stopListening) stopListening();
  stopListening = null;
  session.forget();
  session.user = null;
  location.hash = '';
  showSignIn('');
}

function showSignIn(message) {
  $('nav').hidden = true;
  $('sign-out').hidden = true;
  $('who').textContent = '';
  $('live').textContent = '';
  $('page').replaceChildren();
  $('sign-in').hidden = false;
  $('sign-in-error').textContent = message;
  $('token').value = '';
  $('token').focus();
}

function showApp() {
  $('sign-in').hidden = true;
  $('nav').hidden = false;
  $('sign-out').hidden = false;
  $('who').textContent = `${session.user.user} (${session.user.role})`;
  document.body.dataset.role = session.user.role;
  stopListening = listen((event) => {
    if (event.type === 'dropped') app.error('The live feed fell behind and was reset.');
    if (app.presence.onEvent(event)) return;
    if (current && current.onEvent) current.onEvent(event);
  }, (state) => {
    $('live').textContent = state === 'live' ? '● live' : '○ reconnecting…';
    $('live').className = `live ${state}`;
    if (state === 'live') app.presence.resend();
  });
  app.presence = presence({send: (message) => stopListening.send(message), canClaim: may('technologist')});
  route();
}

function route() {
  if (!session.user) return;
  const [, page = 'queue', ...rest] = location.hash.split('/');
  const root = $('page');
  if (current && current.onLeave) current.onLeave();
  app.presence.open(null);  // the page that had a specimen open is gone
  root.replaceChildren(status, problem);
  app.announce('');
  app.error('');
  const body = h('div', {class: 'page-body'});
  root.append(body);
  for (const link of document.querySelectorAll('#nav a')) {
    if (link.dataset.page === page) link.setAttribute('aria-current', 'page');
    else link.removeAttribute('aria-current');
  }
  const pages = {
    queue: () => queuePage(body, app),
    specimens: () => (rest.length ? specimenPage(body, app, decodeURIComponent(rest.join('/'))) : specimenSearchPage(body, app)),
    analyzers: () => analyzersPage(body, app),
    outbox: () => outboxPage(body, app),
    qc: () => qcPage(body, app, rest[0] && decodeURIComponent(rest[0]), rest[1] && decodeURIComponent(rest[1])),
    rules: () => (rest[0] === 'validation' ? validationPage(body, app) : rulesPage(body, app)),
  };
  current = (pages[page] || pages.queue)();
  document.title = `hemalink · ${page}`;
}

document.addEventListener('DOMContentLoaded', async () => {
  $('sign-in-form').addEventListener('submit', async (e) => {
    e.preventDefault();
    const token = $('token').value.trim();
    if (!token) return;
    try {
      await signIn(token);
      showApp();
    } catch (err) {
      showSignIn(err instanceof ApiError && err.status === 401
        ? 'That token is not valid here.' : `Signing in failed: ${err.message}`);
    }
  });
  $('sign-out').addEventListener('click', signOut);
  window.addEventListener('hashchange', route);
  document.addEventListener('keydown', (e) => {
    if (panelHoldingFocus()) return;  // an open action keeps the keyboard: no page key acts
    if (current && current.onKey && current.onKey(e)) return;
    if (e.key === '/' && !e.target.closest('input, textarea, select')) {
      e.preventDefault();
      location.hash = '#/specimens';
    }
  });
  if (session.token()) {
    try {
      await signIn(session.token());
      showApp();
      return;
    } catch {
      // the token kept in this tab no longer works: ask again
    }
  }
  showSignIn('');
});
