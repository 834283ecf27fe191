// The Rewards page: claims and their settlement, "Claim now" and "Settle", the chain account and
// the pool's bounties (where settlement on a chain is configured).
import { $, bytes, el, fill, table, when } from './util.js';

export class Rewards {
  constructor(ctx) {
    this.ctx = ctx;
    $('claim-now').addEventListener('click', () => this.claim());
    ctx.live.on((event) => { if (this.visible && event.method === 'claim.created') this.load(); });
  }
  show() { this.visible = true; this.load(); }
  hide() { this.visible = false; }

  message(text, ok) {
    const m = $('claim-message');
    m.textContent = text;
    m.className = 'message ' + (ok ? 'ok' : 'error');
  }

  async claim() {
    try {
      const made = await this.ctx.call('rewards.claim', {});
      const c = made.claim;
      this.message(`claim ${made.nonce}: ${bytes(c.totalBytes)} in ${c.receiptCount} receipts, ${c.amount} base units` +
        ` (${made.file})`, true);
      this.load();
    } catch (e) {
      this.message(e.message, false);
    }
  }

  async settle(nonce) {
    try {
      const r = await this.ctx.call('rewards.settle', { nonce });
      const s = r.settlement || r;
      this.message(`claim ${nonce}: ${s.state || 'sent'}${s.tx ? ' · ' + s.tx : ''}`, true);
      this.load();
    } catch (e) {
      this.message(e.message, false);
    }
  }

  async load() {
    let chain = null;
    try {
      chain = await this.ctx.call('chain.info', {});
    } catch (e) {
      fill($('chain'), el('p', { class: 'muted', text: `Settlement on a chain is off here: ${e.message}` }));
    }
    try {
      const { claims } = await this.ctx.call('rewards.list', { limit: 1000 });
      const settleButton = (c) => (chain && this.ctx.isAdmin() && !(c.settlement && c.settlement.state === 'confirmed')
        ? el('button', { type: 'button', class: 'settle admin', text: 'Settle', onclick: () => this.settle(Number(c.nonce)) })
        : '');
      fill($('claims'), table(claims.slice().reverse(), [
        { key: 'nonce', title: 'Nonce' },
        { key: 'created_at', title: 'Made', format: when },
        { key: 'total_bytes', title: 'Bytes', format: bytes },
        { key: 'receipt_count', title: 'Receipts' },
        { key: 'amount', title: 'Amount' },
        { key: 'settlement', title: 'Settlement', format: (s) => (s ? `${s.state}${s.paid ? ' · paid ' + s.paid : ''}` : (chain ? 'not settled' : '–')) },
        { key: 'nonce', title: '', format: (_, c) => settleButton(c) }], 'no claims yet'));
    } catch (e) {
      fill($('claims'), el('p', { class: 'error', text: e.message }));
    }
    if (!chain) return fill($('bounties'), el('p', { class: 'muted', text: 'no chain configured' }));
    fill($('chain'), table([chain], [
      { key: 'chain_id', title: 'Chain' }, { key: 'account', title: 'Node account' },
      { key: 'eth_balance', title: 'ETH (wei)' }, { key: 'token_balance', title: 'Tokens' },
      { key: 'head_block', title: 'Block' }]));
    try {
      const { bounties } = await this.ctx.call('bounty.list', {});
      fill($('bounties'), table(bounties, [
        { key: 'bounty_id', title: 'Bounty' }, { key: 'info_hash', title: 'Torrent', format: (h) => h.slice(0, 12) },
        { key: 'rate_per_gib', title: 'Rate / GiB' }, { key: 'balance', title: 'Balance' },
        { key: 'expires_at', title: 'Expires', format: when },
        { key: 'seeding', title: 'Seeded here', format: (v) => (v ? 'yes' : 'no') }], 'no bounties'));
    } catch (e) {
      fill($('bounties'), el('p', { class: 'error', text: e.message }));
    }
  }
}
