// The Settings page: every option session.set takes (session.options, from the option
// registry), with its help, value and where that came from; each applied on its own, its error
// shown beside it.
import { $, el, fill } from './util.js';

export class Settings {
  constructor(ctx) { this.ctx = ctx; }
  show() { this.load(); }
  hide() {}

  async load() {
    let options;
    try {
      ({ options } = await this.ctx.call('session.options', {}));
    } catch (e) {
      return fill($('settings'), el('p', { class: 'error', text: e.message }));
    }
    const admin = this.ctx.isAdmin();
    fill($('settings'), options.map((o) => this.row(o, admin)));
  }

  input(o, admin) {
    const common = { id: `opt-${o.name}`, name: o.name, disabled: !admin, 'aria-describedby': `help-${o.name}` };
    if (o.type === 'BOOL') {
      return el('select', common, ['true', 'false'].map((v) => el('option', { value: v, text: v, selected: o.value === v })));
    }
    if (o.choices) return el('select', common, o.choices.map((v) => el('option', { value: v, text: v, selected: o.value === v })));
    return el('input', { ...common, value: o.value, type: o.type === 'INT' ? 'number' : 'text', min: o.min, max: o.max });
  }

  row(o, admin) {
    const input = this.input(o, admin);
    const error = el('p', { class: 'field-error error', role: 'alert' });
    const source = el('span', { class: 'source', text: o.source });
    const apply = async () => {
      error.textContent = '';
      let value = input.value;
      if (o.type === 'BOOL') value = value === 'true';
      else if (o.type === 'INT' && /^-?\d+$/.test(value)) value = Number(value);
      try {
        await this.ctx.call('session.set', { [o.name]: value });
        const { options } = await this.ctx.call('session.options', {});
        const now = options.find((x) => x.name === o.name);
        if (now) {
          input.value = now.value;
          source.textContent = now.source;
        }
        error.className = 'field-error ok';
        error.textContent = 'applied';
      } catch (e) {
        error.className = 'field-error error';
        error.textContent = e.message;
      }
    };
    return el('div', { class: 'option', 'data-option': o.name },
      el('label', { for: `opt-${o.name}`, class: 'name', text: o.name }),
      el('div', { class: 'control' }, input,
        el('button', { type: 'button', class: 'apply admin', text: 'Apply', onclick: apply }), source),
      el('p', { id: `help-${o.name}`, class: 'help muted', text: `${o.help}${o.default ? ` (default ${o.default})` : ''}` }),
      error);
  }
}
