// The Torrents page: every torrent in a virtually scrolled table (only the rows on screen are in
// the DOM, so 10,000 torrents cost what 30 do), kept current with torrent.list {since} deltas,
// asked for on every /ws event and every few seconds; adding, creating and controlling torrents.
import { $, bytes, el, fill, percent, rate, table } from './util.js';

const ROW_HEIGHT = 34;  // px; the same as .row in style.css
const OVERSCAN = 10;    // rows drawn above and below the visible ones
const POLL_MS = 3000;
/** The largest .torrent the page uploads: base64 of it must fit seedd's 16 MiB request body. */
export const MAX_UPLOAD_BYTES = 12 * 1024 * 1024;
const FIELDS = ['name', 'state', 'progress', 'size_bytes', 'upload_rate', 'download_rate', 'peers', 'uploaded_bytes',
  'uploaded_verified_bytes', 'labels', 'paused', 'error', 'save_path', 'upload_limit', 'download_limit', 'max_connections'];
const STATES = ['checking', 'downloading_metadata', 'downloading', 'finished', 'seeding', 'paused', 'queued', 'error',
  'missing_data'];
const COLUMNS = [
  { key: 'name', title: 'Name', text: (t) => t.name || t.info_hash },
  { key: 'state', title: 'State', text: (t) => stateText(t.state) },
  { key: 'progress', title: 'Done', text: (t) => percent(t.progress), numeric: true },
  { key: 'size_bytes', title: 'Size', text: (t) => bytes(t.size_bytes), numeric: true },
  { key: 'upload_rate', title: 'Up', text: (t) => rate(t.upload_rate), numeric: true },
  { key: 'download_rate', title: 'Down', text: (t) => rate(t.download_rate), numeric: true, narrow: true },
  { key: 'peers', title: 'Peers', text: (t) => String(t.peers), numeric: true, narrow: true },
  { key: 'uploaded_bytes', title: 'Uploaded', text: (t) => bytes(t.uploaded_bytes), numeric: true, narrow: true },
  { key: 'uploaded_verified_bytes', title: 'Verified', text: (t) => bytes(t.uploaded_verified_bytes), numeric: true },
  { key: 'labels', title: 'Labels', text: (t) => (t.labels || []).join(', '), narrow: true },
];
/** File priorities as torrent.set takes them (0 = skip .. 7). */
const PRIORITIES = { 0: 'skip', 1: 'low', 4: 'normal', 7: 'high' };
/** A state as the table shows it: short enough for its column. */
const stateText = (s) => (s === 'downloading_metadata' ? 'metadata' : s.replace('_', ' '));
const collator = new Intl.Collator(undefined, { numeric: true, sensitivity: 'base' });

function readFileBase64(file) {
  return new Promise((resolve, reject) => {
    const r = new FileReader();
    r.onload = () => resolve(String(r.result).replace(/^data:[^,]*,/, ''));
    r.onerror = () => reject(new Error(`cannot read ${file.name}`));
    r.readAsDataURL(file);
  });
}

export class Torrents {
  constructor(ctx) {
    this.ctx = ctx;
    this.byHash = new Map();
    this.view = [];  // the filtered, sorted torrents
    this.cursor = null;
    this.sort = { key: 'name', dir: 1 };
    this.selected = null;
    this.timer = null;
    this.busy = false;
    this.firstScreen = false;
    this.drawScheduled = false;
    this.buildHead();
    for (const s of STATES) $('filter-state').append(el('option', { value: s, text: stateText(s) }));
    $('filter-name').addEventListener('input', () => this.recompute());
    $('filter-state').addEventListener('change', () => this.recompute());
    $('filter-label').addEventListener('change', () => this.recompute());
    $('torrent-scroll').addEventListener('scroll', () => this.scheduleDraw());
    window.addEventListener('resize', () => this.scheduleDraw());
    $('torrent-rows').addEventListener('click', (e) => {
      const row = e.target.closest('.row');
      if (row) this.openDetails(row.dataset.hash);
    });
    $('add-open').addEventListener('click', () => { $('add-panel').hidden = !$('add-panel').hidden; });
    $('add-magnet-go').addEventListener('click', () => this.add({ magnet: $('add-magnet').value.trim() }, 'added'));
    $('add-path-go').addEventListener('click', () => this.add({ path: $('add-path').value.trim() }, 'added'));
    $('create-go').addEventListener('click', () => this.create());
    $('add-file-go').addEventListener('click', () => this.upload());
    ctx.live.on((event) => {
      if (event.method && (event.method.startsWith('torrent.') || event.method === 'live.connected' ||
          event.method === 'events.missed')) this.refresh();
    });
  }

  show() {
    this.visible = true;
    if (this.cursor === null) this.load(); else this.refresh();
    this.timer = setInterval(() => this.refresh(), POLL_MS);
  }
  hide() {
    this.visible = false;
    clearInterval(this.timer);
  }

  buildHead() {
    const head = $('torrent-head');
    fill(head, COLUMNS.map((c) => el('button', {
      type: 'button', class: `cell c-${c.key}${c.numeric ? ' num' : ''}${c.narrow ? ' narrow' : ''}`,
      'data-key': c.key, text: c.title,
      onclick: () => {
        this.sort = { key: c.key, dir: this.sort.key === c.key ? -this.sort.dir : (c.numeric ? -1 : 1) };
        this.recompute();
      },
    })));
  }

  async load() {
    const started = performance.now();
    const answer = await this.ctx.call('torrent.list', { fields: FIELDS });
    window.seeddTimings = Object.assign(window.seeddTimings || {}, { torrentListMs: performance.now() - started });
    this.byHash = new Map(answer.torrents.map((t) => [t.info_hash, t]));
    this.cursor = answer.cursor;
    this.recompute();
  }

  async refresh() {
    if (this.cursor === null || this.busy || !this.visible) return;
    this.busy = true;
    try {
      const answer = await this.ctx.call('torrent.list', { fields: FIELDS, since: this.cursor });
      if (answer.full) this.byHash = new Map();
      for (const t of answer.torrents) this.byHash.set(t.info_hash, t);
      for (const h of answer.removed || []) this.byHash.delete(h);
      this.cursor = answer.cursor;
      if (answer.full || answer.torrents.length || (answer.removed || []).length) this.recompute();
      if (this.selected) this.refreshDetails();
    } catch (e) {
      if (e.status !== 401) this.ctx.notify(`Could not update the torrents: ${e.message}`);
    } finally {
      this.busy = false;
    }
  }

  recompute() {
    const name = $('filter-name').value.trim().toLowerCase();
    const state = $('filter-state').value;
    const label = $('filter-label').value;
    const labels = new Set();
    const view = [];
    for (const t of this.byHash.values()) {
      for (const l of t.labels || []) labels.add(l);
      if (state && t.state !== state) continue;
      if (label && !(t.labels || []).includes(label)) continue;
      if (name && !(t.name || '').toLowerCase().includes(name)) continue;
      view.push(t);
    }
    const { key, dir } = this.sort;
    const column = COLUMNS.find((c) => c.key === key);
    if (column.numeric) view.sort((a, b) => dir * (Number(a[key]) - Number(b[key])) || collator.compare(a.name, b.name));
    else if (key === 'labels') view.sort((a, b) => dir * collator.compare((a.labels || []).join(), (b.labels || []).join()));
    else view.sort((a, b) => dir * collator.compare(String(a[key] ?? ''), String(b[key] ?? '')));
    this.view = view;
    this.updateLabelFilter(labels);
    for (const b of $('torrent-head').children)
      b.classList.toggle('sorted', b.dataset.key === key), b.dataset.dir = b.dataset.key === key ? (dir > 0 ? 'asc' : 'desc') : '';
    $('torrent-count').textContent = `${view.length} of ${this.byHash.size} torrents`;
    $('torrent-spacer').style.height = `${view.length * ROW_HEIGHT}px`;
    this.draw();
  }

  updateLabelFilter(labels) {
    const select = $('filter-label');
    const have = [...select.options].slice(1).map((o) => o.value);
    const want = [...labels].sort(collator.compare);
    if (have.join('\n') === want.join('\n')) return;
    const chosen = select.value;
    fill(select, el('option', { value: '', text: 'all labels' }), want.map((l) => el('option', { value: l, text: l })));
    select.value = want.includes(chosen) ? chosen : '';
  }

  scheduleDraw() {
    if (this.drawScheduled) return;
    this.drawScheduled = true;
    requestAnimationFrame(() => { this.drawScheduled = false; this.draw(); });
  }

  /** Draws the rows in view (and OVERSCAN around them) only. */
  draw() {
    const scroll = $('torrent-scroll');
    const first = Math.max(0, Math.floor(scroll.scrollTop / ROW_HEIGHT) - OVERSCAN);
    const count = Math.ceil(scroll.clientHeight / ROW_HEIGHT) + 2 * OVERSCAN;
    const rows = this.view.slice(first, first + count).map((t) => el('div', {
      class: `row${t.info_hash === this.selected ? ' selected' : ''} s-${t.state}`, 'data-hash': t.info_hash,
      role: 'row',
    }, COLUMNS.map((c) => el('span', {
      class: `cell c-${c.key}${c.numeric ? ' num' : ''}${c.narrow ? ' narrow' : ''}`, text: c.text(t), title: c.key === 'name' ? t.name : null,
    }))));
    // The header lines up with the rows, whose box loses the scrollbar's width.
    $('torrent-head').style.paddingRight = `${scroll.offsetWidth - scroll.clientWidth}px`;
    const box = $('torrent-rows');
    box.style.transform = `translateY(${first * ROW_HEIGHT}px)`;
    fill(box, rows);
    if (!this.firstScreen && rows.length) {
      this.firstScreen = true;
      // For the browser test: when the first screen of rows was in the DOM, from navigation start.
      requestAnimationFrame(() => {
        window.seeddTimings = Object.assign(window.seeddTimings || {},
          { torrentsFirstScreenMs: performance.now(), torrentsRows: this.view.length });
      });
    }
  }

  message(text, ok) {
    const m = $('add-message');
    m.textContent = text;
    m.className = 'message ' + (ok ? 'ok' : 'error');
  }

  async add(params, verb) {
    const given = Object.values(params)[0];
    if (!given) return this.message('Give a magnet link, a file or a path first.', false);
    try {
      const r = await this.ctx.call('torrent.add', params);
      this.message(r.existed ? `Already present: ${r.info_hash}` : `${verb} ${r.info_hash}`, true);
      this.refresh();
    } catch (e) {
      this.message(e.message, false);
    }
  }

  async upload() {
    const file = $('add-file').files[0];
    if (!file) return this.message('Choose a .torrent file first.', false);
    if (file.size > MAX_UPLOAD_BYTES)
      return this.message(`${file.name} is ${bytes(file.size)}: the largest .torrent the page can upload is ` +
        `${bytes(MAX_UPLOAD_BYTES)} (use "Add from server path" for a bigger one).`, false);
    try {
      await this.add({ torrent: await readFileBase64(file) }, `uploaded ${file.name}:`);
    } catch (e) {
      this.message(e.message, false);
    }
  }

  async create() {
    const path = $('create-path').value.trim();
    if (!path) return this.message('Give the folder or file to make a torrent of.', false);
    this.message(`hashing ${path}…`, true);
    try {
      const r = await this.ctx.call('torrent.create', { path });
      this.message(r.existed ? `Already present: ${r.info_hash}` : `created ${r.info_hash}, now seeding`, true);
      this.refresh();
    } catch (e) {
      this.message(e.message, false);
    }
  }

  // Details of one torrent: actions, labels and limits, files, peers, trackers.
  async openDetails(hash) {
    this.selected = hash;
    this.scheduleDraw();
    const box = $('details');
    box.hidden = false;
    fill(box, el('p', { class: 'muted', text: 'loading…' }));
    await this.refreshDetails(true);
  }

  async refreshDetails(rebuild = false) {
    const hash = this.selected;
    const t = this.byHash.get(hash);
    if (!t) { $('details').hidden = true; this.selected = null; return; }
    let files, peers, trackers;
    try {
      [files, peers, trackers] = await Promise.all([
        this.ctx.call('torrent.files', { info_hash: hash }).catch(() => ({ files: [] })),
        this.ctx.call('torrent.peers', { info_hash: hash }),
        this.ctx.call('torrent.trackers', { info_hash: hash }).catch(() => ({ trackers: [] })),
      ]);
    } catch (e) {
      return;
    }
    if (this.selected !== hash) return;
    const box = $('details');
    if (rebuild || !box.querySelector('.detail-title')) fill(box, this.detailsFrame(t));
    fill(box.querySelector('.detail-state'), `${stateText(t.state)} · ${percent(t.progress)} · ${bytes(t.size_bytes)} · ` +
      `up ${rate(t.upload_rate)} · ${t.peers} peers${t.error ? ' · ' + t.error : ''}`);
    box.querySelector('.pause').hidden = t.paused;
    box.querySelector('.resume').hidden = !t.paused;
    const admin = this.ctx.isAdmin();
    fill(box.querySelector('.d-files'), table(files.files || [], [
      { key: 'path', title: 'File' }, { key: 'size_bytes', title: 'Size', format: bytes },
      { key: 'done_bytes', title: 'Done', format: bytes },
      { key: 'priority', title: 'Priority', format: (p, f) => (admin ? this.prioritySelect(hash, f) : PRIORITIES[p] || String(p)) }]));
    fill(box.querySelector('.d-peers'), table(peers.peers || [], [
      { key: 'endpoint', title: 'Peer' }, { key: 'client', title: 'Client' },
      { key: 'upload_rate', title: 'Up', format: rate }, { key: 'download_rate', title: 'Down', format: rate },
      { key: 'lane', title: 'Lane', format: (lane, p) => (p.seedd_address ? `${lane} · ${p.seedd_address.slice(0, 10)}…` : lane) },
      { key: 'pass', title: 'Pass' },
      { key: 'receipted_bytes', title: 'Receipted', format: bytes },
      { key: 'unreceipted_bytes', title: 'Not yet receipted', format: bytes }],
      'no peers connected'));
    fill(box.querySelector('.d-trackers'), table(trackers.trackers || [], [
      { key: 'tier', title: 'Tier' }, { key: 'url', title: 'Tracker' }, { key: 'seeds', title: 'Seeds' },
      { key: 'peers', title: 'Peers' }, { key: 'message', title: 'Last message' }],
      'no trackers'));
  }

  prioritySelect(hash, file) {
    const select = el('select', { class: 'priority', 'aria-label': `priority of ${file.path}` },
      Object.entries(PRIORITIES).map(([v, text]) => el('option', { value: v, text, selected: Number(v) === file.priority })));
    select.addEventListener('change', async () => {
      try {
        await this.ctx.call('torrent.set', { info_hash: hash, files: [{ index: file.index, priority: Number(select.value) }] });
        this.detailMessage(`${file.path}: priority ${PRIORITIES[select.value]}`, true);
      } catch (e) {
        this.detailMessage(e.message, false);
      }
    });
    return select;
  }

  detailsFrame(t) {
    const hash = t.info_hash;
    const act = (method, params = {}, text = '') => async () => {
      try {
        await this.ctx.call(method, { info_hash: hash, ...params });
        this.detailMessage(text || `${method.split('.')[1]}: done`, true);
        this.refresh();
      } catch (e) {
        this.detailMessage(e.message, false);
      }
    };
    const remove = (withData) => async () => {
      const what = withData ? `Remove "${t.name}" AND DELETE its data from disk?` : `Remove "${t.name}" (its data stays on disk)?`;
      if (!window.confirm(what)) return;
      await act('torrent.remove', { delete_data: withData }, 'removed')();
      $('details').hidden = true;
      this.selected = null;
    };
    const labels = el('input', { class: 'labels-input', value: (t.labels || []).join(', '), 'aria-label': 'labels' });
    const limit = (key, title) => el('label', {}, title, el('input', {
      class: `limit-${key}`, type: 'number', min: '0', value: String(t[key] || 0), 'aria-label': title }));
    const saveLimits = async () => {
      const box = $('details');
      const params = {};
      for (const key of ['upload_limit', 'download_limit', 'max_connections'])
        params[key] = Number(box.querySelector(`.limit-${key}`).value || 0);
      await act('torrent.set', params, 'limits saved')();
    };
    const saveLabels = () => act('torrent.set', {
      labels: labels.value.split(',').map((s) => s.trim()).filter(Boolean) }, 'labels saved')();
    return [
      el('div', { class: 'detail-head' },
        el('h2', { class: 'detail-title', text: t.name || hash }),
        el('button', { type: 'button', class: 'link', text: 'Close', onclick: () => {
          $('details').hidden = true; this.selected = null; this.scheduleDraw(); } })),
      el('p', { class: 'muted mono', text: `${hash} · ${t.save_path || ''}` }),
      el('p', { class: 'detail-state' }),
      el('div', { class: 'actions admin' },
        el('button', { type: 'button', class: 'pause', text: 'Pause', onclick: act('torrent.pause', {}, 'paused') }),
        el('button', { type: 'button', class: 'resume', text: 'Resume', onclick: act('torrent.resume', {}, 'resumed') }),
        el('button', { type: 'button', class: 'recheck', text: 'Recheck', onclick: act('torrent.recheck', {}, 'checking') }),
        el('button', { type: 'button', class: 'remove', text: 'Remove', onclick: remove(false) }),
        el('button', { type: 'button', class: 'remove-data danger', text: 'Remove + data', onclick: remove(true) })),
      el('div', { class: 'actions admin' },
        el('label', {}, 'Labels ', labels), el('button', { type: 'button', class: 'save-labels', text: 'Save labels', onclick: saveLabels })),
      el('div', { class: 'actions admin' },
        limit('upload_limit', 'Up B/s '), limit('download_limit', 'Down B/s '), limit('max_connections', 'Connections '),
        el('button', { type: 'button', class: 'save-limits', text: 'Save limits', onclick: saveLimits })),
      el('p', { class: 'detail-message message', role: 'status' }),
      el('h3', { text: 'Files' }), el('div', { class: 'd-files' }),
      el('h3', { text: 'Peers' }), el('div', { class: 'd-peers' }),
      el('h3', { text: 'Trackers' }), el('div', { class: 'd-trackers' }),
    ];
  }

  detailMessage(text, ok) {
    const m = $('details').querySelector('.detail-message');
    if (!m) return;
    m.textContent = text;
    m.className = 'detail-message message ' + (ok ? 'ok' : 'error');
  }
}


