// Line charts drawn as inline SVG: one to three series over time, a zero-based
// y axis with three gridlines, time labels at both ends. No library.
const NS = 'http://www.w3.org/2000/svg';
const W = 520;
const H = 170;
const PAD = { l: 50, r: 10, t: 10, b: 26 };

function s(tag, attrs = {}, text) {
  const el = document.createElementNS(NS, tag);
  for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, String(v));
  if (text !== undefined) el.textContent = text;
  return el;
}

/**
 * `series`: [{ name, values: (number|null)[] }] sharing `times` (Unix s); `format` renders a y value.
 * Returns a figure with a legend; the SVG has role=img and a text summary for screen readers.
 */
export function lineChart({ title, times, series, format = String }) {
  const all = series.flatMap((x) => x.values).filter((v) => v !== null && Number.isFinite(v));
  const max = niceMax(all.length ? Math.max(...all) : 0);
  const x = (i) => PAD.l + (times.length <= 1 ? 0 : (i * (W - PAD.l - PAD.r)) / (times.length - 1));
  const y = (v) => PAD.t + (H - PAD.t - PAD.b) * (1 - (max === 0 ? 0 : v / max));
  const latest = series.map((x) => `${x.name} ${format(lastValue(x.values))}`).join(', ');
  const svg = s('svg', {
    viewBox: `0 0 ${W} ${H}`,
    role: 'img',
    'aria-label': `${title}: latest ${latest}; peak ${format(max)}`,
  });
  svg.append(s('title', {}, title));
  for (const f of [0, 0.5, 1]) {
    const gy = y(max * f);
    svg.append(s('line', { class: 'gridline', x1: PAD.l, x2: W - PAD.r, y1: gy, y2: gy }));
    svg.append(s('text', { class: 'axis', x: PAD.l - 6, y: gy + 4, 'text-anchor': 'end' }, format(max * f)));
  }
  if (times.length) {
    svg.append(s('text', { class: 'axis', x: PAD.l, y: H - 5 }, clock(times[0])));
    svg.append(
      s('text', { class: 'axis', x: W - PAD.r, y: H - 5, 'text-anchor': 'end' }, clock(times[times.length - 1])),
    );
  }
  // Drawn last to first, so the first series (p50 before p95 before p99) stays visible where lines meet.
  [...series.entries()].reverse().forEach(([k, ser]) => {
    let d = '';
    ser.values.forEach((v, i) => {
      if (v === null || !Number.isFinite(v)) return;
      d += `${d === '' || ser.values[i - 1] === null ? 'M' : 'L'}${x(i).toFixed(1)},${y(v).toFixed(1)}`;
    });
    if (d) svg.append(s('path', { class: `line s${k}`, d }));
  });
  const fig = document.createElement('figure');
  fig.className = 'chart';
  const h3 = document.createElement('h3');
  h3.textContent = title;
  const legend = document.createElement('div');
  legend.className = 'legend';
  legend.setAttribute('aria-hidden', 'true');
  for (const [k, ser] of series.entries()) {
    const item = document.createElement('span');
    const sw = document.createElement('span');
    sw.className = `sw s${k}`;
    item.append(sw, `${ser.name}: ${format(lastValue(ser.values))}`);
    legend.append(item);
  }
  fig.append(h3, svg, legend);
  return fig;
}

function lastValue(values) {
  for (let i = values.length - 1; i >= 0; i--) if (values[i] !== null) return values[i];
  return null;
}

function niceMax(v) {
  if (!(v > 0)) return 1;
  const p = 10 ** Math.floor(Math.log10(v));
  for (const m of [1, 2, 2.5, 5, 10]) if (v <= m * p) return m * p;
  return 10 * p;
}

function clock(sec) {
  const d = new Date(sec * 1000);
  return `${String(d.getHours()).padStart(2, '0')}:${String(d.getMinutes()).padStart(2, '0')}`;
}
