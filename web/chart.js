// A small hand-written SVG chart of hourly upload: verified bytes as a filled line, unverified as
// a dashed one, a dot on every hour that has any (so one receipted hour in 30 days shows), and
// a readout of the hour under the pointer. Two series and a time axis did not need a library.
const NS = 'http://www.w3.org/2000/svg';
const HEIGHT = 240;
const MARGIN = { top: 12, right: 12, bottom: 28, left: 72 };

function svg(tag, attrs = {}, text) {
  const e = document.createElementNS(NS, tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
  if (text !== undefined) e.textContent = text;
  return e;
}

/**
 * Draws `buckets` ([{start, verified, unverified}], one per hour, oldest first) into `box`.
 * `format` turns bytes into text. Returns the <svg>.
 */
export function drawHourlyChart(box, buckets, format) {
  const width = Math.max(320, box.clientWidth || 320);
  const plotW = width - MARGIN.left - MARGIN.right;
  const plotH = HEIGHT - MARGIN.top - MARGIN.bottom;
  const max = Math.max(1, ...buckets.map((b) => Math.max(b.verified, b.unverified)));
  const x = (i) => MARGIN.left + (buckets.length < 2 ? plotW / 2 : (i * plotW) / (buckets.length - 1));
  const y = (v) => MARGIN.top + plotH - (v / max) * plotH;
  const baseline = y(0);
  const root = svg('svg', { viewBox: `0 0 ${width} ${HEIGHT}`, width, height: HEIGHT, class: 'hourly',
    'data-max-bytes': String(max), 'data-baseline': String(baseline) });

  for (const f of [0, 0.5, 1]) {
    const v = max * f;
    root.append(svg('line', { x1: MARGIN.left, x2: width - MARGIN.right, y1: y(v), y2: y(v), class: 'grid' }));
    root.append(svg('text', { x: MARGIN.left - 6, y: y(v) + 4, 'text-anchor': 'end', class: 'tick' }, format(v)));
  }
  // A label at each day's midnight (local time), thinned out to at most 8.
  const days = buckets.map((b, i) => [b, i]).filter(([b]) => new Date(b.start * 1000).getHours() === 0);
  const step = Math.max(1, Math.ceil(days.length / 8));
  days.forEach(([b, i], n) => {
    if (n % step) return;
    const d = new Date(b.start * 1000);
    root.append(svg('line', { x1: x(i), x2: x(i), y1: MARGIN.top, y2: baseline, class: 'grid day' }));
    root.append(svg('text', { x: x(i), y: HEIGHT - 8, 'text-anchor': 'middle', class: 'tick' },
      d.toLocaleDateString(undefined, { month: 'short', day: 'numeric' })));
  });

  const line = (key) => buckets.map((b, i) => `${i ? 'L' : 'M'}${x(i).toFixed(1)},${y(b[key]).toFixed(1)}`).join('');
  if (buckets.length) {
    root.append(svg('path', { d: `${line('verified')}L${x(buckets.length - 1)},${baseline}L${x(0)},${baseline}Z`, class: 'area verified' }));
    root.append(svg('path', { d: line('verified'), class: 'line verified' }));
    root.append(svg('path', { d: line('unverified'), class: 'line unverified' }));
  }
  buckets.forEach((b, i) => {
    for (const key of ['verified', 'unverified']) {
      if (b[key] <= 0) continue;
      const dot = svg('circle', { cx: x(i), cy: y(b[key]), r: 3, class: `pt ${key}`, 'data-start': String(b.start),
        'data-bytes': String(b[key]) });
      dot.append(svg('title', {}, `${new Date(b.start * 1000).toLocaleString()}: ${format(b[key])} ${key}`));
      root.append(dot);
    }
  });

  const cursor = svg('line', { y1: MARGIN.top, y2: baseline, class: 'cursor', visibility: 'hidden' });
  const readout = svg('text', { x: MARGIN.left + 4, y: MARGIN.top + 10, class: 'readout' });
  root.append(cursor, readout);
  root.addEventListener('pointermove', (e) => {
    if (!buckets.length) return;
    const r = root.getBoundingClientRect();
    const px = ((e.clientX - r.left) / r.width) * width;
    const i = Math.min(buckets.length - 1, Math.max(0, Math.round(((px - MARGIN.left) / plotW) * (buckets.length - 1))));
    const b = buckets[i];
    cursor.setAttribute('x1', x(i));
    cursor.setAttribute('x2', x(i));
    cursor.setAttribute('visibility', 'visible');
    readout.textContent = `${new Date(b.start * 1000).toLocaleString()} · verified ${format(b.verified)} · unverified ${format(b.unverified)}`;
  });
  root.addEventListener('pointerleave', () => {
    cursor.setAttribute('visibility', 'hidden');
    readout.textContent = '';
  });
  box.replaceChildren(root);
  return root;
}
