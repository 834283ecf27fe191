// The page's frame: login and logout, the pages, and the live connection to /ws that every
// page listens to.
import { call, currentSession, login, logout, setSession, whenSessionEnds } from './api.js';
import { $ } from './util.js';
import { Torrents } from './torrents.js';
import { Earnings } from './earnings.js';
import { Rewards } from './rewards.js';
import { Settings } from './settings.js';

/** Follows /ws; reconnects after a loss, from the last sequence number seen. */
class Live {
  constructor() {
    this.listeners = [];
    this.since = null;
    this.retryMs = 1000;
    this.socket = null;
    this.stopped = true;
  }
  on(listener) { this.listeners.push(listener); }
  start() {
    this.stopped = false;
    this.connect();
  }
  stop() {
    this.stopped = true;
    if (this.socket) this.socket.close();
  }
  show(state, text) {
    const badge = $('live');
    badge.className = 'live ' + state;
    badge.textContent = text;
  }
  connect() {
    const scheme = location.protocol === 'https:' ? 'wss:' : 'ws:';
    const query = this.since === null ? '' : `?since=${this.since}`;
    const socket = new WebSocket(`${scheme}//${location.host}/ws${query}`);
    this.socket = socket;
    socket.addEventListener('open', () => {
      this.retryMs = 1000;
      this.show('on', 'live');
      // Whatever happened while the connection was down: re-read.
      for (const l of this.listeners) l({ method: 'live.connected' });
    });
    socket.addEventListener('message', (m) => {
      let event;
      try { event = JSON.parse(m.data); } catch { return; }
      const seq = event.params && event.params.seq;
      if (typeof seq === 'number') this.since = seq;
      if (event.method === 'events.missed' && event.params) this.since = event.params.last ?? this.since;
      for (const l of this.listeners) l(event);
    });
    socket.addEventListener('close', () => {
      if (this.socket !== socket || this.stopped) return;
      const seconds = Math.round(this.retryMs / 1000);
      this.show('off', `connection lost: reconnecting in ${seconds} s`);
      setTimeout(() => { if (!this.stopped) this.connect(); }, this.retryMs);
      this.retryMs = Math.min(this.retryMs * 2, 15000);
    });
  }
}

const live = new Live();
const pages = {};
let current = null;
let session = null;

function showPage(name) {
  if (!pages[name]) name = 'torrents';
  for (const [n, page] of Object.entries(pages)) {
    $('page-' + n).hidden = n !== name;
    if (n !== name) page.hide();
  }
  for (const a of document.querySelectorAll('nav a')) a.classList.toggle('on', a.dataset.page === name);
  current = name;
  pages[name].show();
}

function showLogin(message) {
  live.stop();
  session = null;
  setSession(null);
  $('app').hidden = true;
  $('login').hidden = false;
  $('login-error').textContent = message || '';
  $('login-password').value = '';
  $('login-user').focus();
}

function showApp(s) {
  session = s;
  setSession(s);
  const readOnly = s.scope !== 'admin';
  document.body.classList.toggle('read-only', readOnly);
  $('who').textContent = `${s.user === '__cookie__' ? 'admin (cookie)' : s.user}${readOnly ? ' · read only' : ''}`;
  $('login').hidden = true;
  $('app').hidden = false;
  $('banner').hidden = true;
  if (!Object.keys(pages).length) {
    const ctx = { call, live, isAdmin: () => session && session.scope === 'admin', notify: banner };
    pages.torrents = new Torrents(ctx);
    pages.earnings = new Earnings(ctx);
    pages.rewards = new Rewards(ctx);
    pages.settings = new Settings(ctx);
  }
  live.start();
  showPage((location.hash || '#torrents').slice(1));
}

/** A message over the page (errors that belong to no field). */
function banner(text) {
  const b = $('banner');
  b.textContent = text;
  b.hidden = !text;
}

async function start() {
  whenSessionEnds((message) => showLogin(message));
  $('login-form').addEventListener('submit', async (e) => {
    e.preventDefault();
    $('login-submit').disabled = true;
    $('login-error').textContent = '';
    try {
      showApp(await login($('login-user').value.trim(), $('login-password').value));
    } catch (err) {
      $('login-error').textContent = err.message;
    } finally {
      $('login-submit').disabled = false;
    }
  });
  $('logout').addEventListener('click', async () => {
    await logout();
    showLogin('You are logged out.');
  });
  window.addEventListener('hashchange', () => { if (session) showPage(location.hash.slice(1)); });
  const params = new URLSearchParams(location.search);
  const { session: s, reason, message } = await currentSession();
  if (s) return showApp(s);
  let text = reason === 'ended' ? message : '';
  if (params.get('login') === 'link-spent')
    text = 'That login link was used already or has expired: run seedctl ui again for a new one.';
  showLogin(text);
}

start();
