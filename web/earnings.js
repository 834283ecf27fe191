// The Earnings page: totals, verified and unverified upload per hour over 7 or 30 days, per
// torrent, rejected receipts by reason, and the node address.
import { $, bytes, el, fill, table } from './util.js';
import { drawHourlyChart } from './chart.js';

const HOUR = 3600;
const REFRESH_MS = 30000;

export class Earnings {
  constructor(ctx) {
    this.ctx = ctx;
    this.days = 7;
    this.timer = null;
    this.pending = null;
    for (const b of document.querySelectorAll('#page-earnings .seg button')) {
      b.addEventListener('click', () => {
        this.days = Number(b.dataset.days);
        for (const o of document.querySelectorAll('#page-earnings .seg button')) o.classList.toggle('on', o === b);
        this.load();
      });
    }
    $('copy-address').addEventListener('click', () => this.copyAddress());
    window.addEventListener('resize', () => { if (this.visible && this.buckets) this.draw(); });
    // New receipts: read again, at most every few seconds.
    ctx.live.on((event) => {
      if (!this.visible || (event.method !== 'receipts.accepted' && event.method !== 'claim.created')) return;
      clearTimeout(this.pending);
      this.pending = setTimeout(() => this.load(), 2000);
    });
  }

  show() {
    this.visible = true;
    this.load();
    this.timer = setInterval(() => this.load(), REFRESH_MS);
  }
  hide() {
    this.visible = false;
    clearInterval(this.timer);
  }

  async load() {
    const now = Math.floor(Date.now() / 1000);
    const until = (Math.floor(now / HOUR) + 1) * HOUR;
    const since = until - this.days * 24 * HOUR;
    try {
      const [summary, history, byTorrent, names, node] = await Promise.all([
        this.ctx.call('earnings.summary', {}),
        this.ctx.call('earnings.history', { bucket: 'hour', since, until }),
        this.ctx.call('earnings.by_torrent', { since, until }),
        this.ctx.call('torrent.list', { fields: ['name'] }),
        this.ctx.call('node.info', {}),
      ]);
      const got = new Map(history.rows.map((r) => [r.start, r]));
      this.buckets = [];
      for (let start = since; start < until; start += HOUR) {
        const r = got.get(start);
        this.buckets.push({ start, verified: r ? Number(r.verified_bytes) : 0, unverified: r ? Number(r.unverified_bytes) : 0 });
      }
      this.draw();
      this.cards(summary);
      const name = new Map(names.torrents.map((t) => [t.info_hash, t.name]));
      fill($('earn-torrents'), table(byTorrent.torrents, [
        { key: 'info_hash', title: 'Torrent', format: (h) => name.get(h) || h.slice(0, 12) },
        { key: 'verified_bytes', title: 'Verified', format: bytes },
        { key: 'unverified_bytes', title: 'Unverified', format: bytes },
        { key: 'receipts', title: 'Receipts' },
        { key: 'pending_amount', title: 'Pending' }], `nothing earned in the last ${this.days} days`));
      const rejected = Object.entries(summary.rejected || {}).map(([reason, count]) => ({ reason, count }));
      fill($('earn-rejected'), table(rejected, [{ key: 'reason', title: 'Reason' }, { key: 'count', title: 'Receipts' }],
        'no receipt was rejected'));
      $('node-address').textContent = node.node_address;
    } catch (e) {
      if (e.status !== 401) this.ctx.notify(`Could not read the earnings: ${e.message}`);
    }
  }

  draw() { drawHourlyChart($('chart'), this.buckets, bytes); }

  cards(s) {
    const card = (title, value, note) => el('div', { class: 'card' }, el('span', { class: 'k', text: title }),
      el('b', { text: value }), note ? el('small', { class: 'muted', text: note }) : null);
    fill($('earn-cards'),
      card('Verified upload', bytes(s.verified_bytes), `${s.receipts} receipts`),
      card('Unverified upload', bytes(s.unverified_bytes), 'served to peers that sign nothing'),
      card('Unclaimed', bytes(s.unclaimed_bytes), `pending ${s.pending_amount} base units`),
      card('Claimed', bytes(s.claimed_bytes), `${s.claimed_amount} base units`));
  }

  async copyAddress() {
    const text = $('node-address').textContent;
    try {
      await navigator.clipboard.writeText(text);
    } catch {
      // Plain HTTP from another machine has no clipboard API: select it for the user instead.
      const range = document.createRange();
      range.selectNodeContents($('node-address'));
      getSelection().removeAllRanges();
      getSelection().addRange(range);
      $('copy-note').textContent = 'selected: press Ctrl+C';
      return;
    }
    $('copy-note').textContent = 'copied';
  }
}
