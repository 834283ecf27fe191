// Small helpers shared by the pages: building elements (never from HTML text: names of
// torrents come from the network) and formatting numbers.

/** An element with attributes and children (strings become text nodes). */
export function el(tag, attrs = {}, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === null || v === false) continue;
    if (k === 'class') e.className = v;
    else if (k === 'text') e.textContent = v;
    else if (k.startsWith('on')) e.addEventListener(k.slice(2), v);
    else e.setAttribute(k, v === true ? '' : v);
  }
  for (const c of children.flat()) if (c !== null && c !== undefined) e.append(c);
  return e;
}

export const $ = (id) => document.getElementById(id);

const UNITS = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB'];
/** 1536 -> "1.5 KiB"; takes numbers or decimal strings (bytes past 2^53 come as strings). */
export function bytes(n) {
  let v = Number(n || 0);
  let i = 0;
  while (Math.abs(v) >= 1024 && i < UNITS.length - 1) { v /= 1024; i++; }
  return (i === 0 ? String(v) : v.toFixed(v < 10 ? 2 : 1)) + ' ' + UNITS[i];
}
export const rate = (n) => (Number(n || 0) > 0 ? bytes(n) + '/s' : '–');
export const percent = (p) => (Number(p) >= 1 ? '100' : (Math.floor(Number(p || 0) * 1000) / 10).toFixed(1)) + ' %';
export function when(unix) {
  if (!unix) return '–';
  return new Date(unix * 1000).toLocaleString();
}

/** A table of `rows` (objects) with `columns` [{key, title, format?}]; `empty` when none. */
export function table(rows, columns, empty = 'none') {
  if (!rows.length) return el('p', { class: 'muted', text: empty });
  return el('table', { class: 'data' },
    el('thead', {}, el('tr', {}, columns.map((c) => el('th', { text: c.title })))),
    el('tbody', {}, rows.map((r) => el('tr', {}, columns.map((c) => {
      const v = c.format ? c.format(r[c.key], r) : r[c.key];
      return el('td', { 'data-key': c.key }, v instanceof Node ? v : String(v ?? '–'));
    })))));
}

/** Replaces the children of `parent` with `children`. */
export function fill(parent, ...children) {
  parent.replaceChildren(...children.flat());
}
