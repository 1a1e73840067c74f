// Small DOM helpers: elements built with properties and children (never innerHTML with data).

/** `h('td', { className: 'msg' }, 'text', child)`; `on*` keys add listeners, `attrs` sets attributes. */
export function h(tag, props = {}, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(props)) {
    if (v === undefined || v === null) continue;
    if (k.startsWith('on')) el.addEventListener(k.slice(2), v);
    else if (k === 'attrs')
      for (const [a, x] of Object.entries(v)) {
        if (x !== undefined && x !== null) el.setAttribute(a, String(x));
      }
    else if (k === 'dataset') Object.assign(el.dataset, v);
    else el[k] = v;
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const c of children) {
    if (c === undefined || c === null || c === false) continue;
    if (Array.isArray(c)) append(el, c);
    else el.append(c instanceof Node ? c : String(c));
  }
}

/** A labelled input in a `.field` wrapper. */
export function field(label, input) {
  if (!input.id) input.id = `f-${Math.random().toString(36).slice(2, 9)}`;
  return h('div', { className: 'field' }, h('label', { htmlFor: input.id }, label), input);
}

export function table(headers, bodyId) {
  const tbody = h('tbody', bodyId ? { id: bodyId } : {});
  const t = h(
    'table',
    {},
    h(
      'thead',
      {},
      h(
        'tr',
        {},
        headers.map((x) => {
          const [text, cls] = Array.isArray(x) ? x : [x, undefined];
          return h('th', { scope: 'col', className: cls ?? '' }, text);
        }),
      ),
    ),
    tbody,
  );
  return { table: t, tbody };
}

const fmt = new Intl.NumberFormat('en-US');
export function num(n) {
  return n === null || n === undefined ? '–' : fmt.format(n);
}
export function ms(n) {
  return n === null || n === undefined ? '–' : `${fmt.format(Math.round(n * 10) / 10)} ms`;
}
export function pct(n) {
  return n === null || n === undefined ? '–' : `${(n * 100).toFixed(n < 0.1 ? 2 : 1)} %`;
}

/** `2026-12-03T11:02:03.123Z` → `11:02:03.123` (local time); dates other than today keep the date. */
export function time(iso) {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return String(iso ?? '');
  const pad = (x, n = 2) => String(x).padStart(n, '0');
  const t = `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}.${pad(d.getMilliseconds(), 3)}`;
  const today = new Date();
  if (d.toDateString() === today.toDateString()) return t;
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${t}`;
}

/** A query string from an object, skipping empty values. */
export function qs(params) {
  const u = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== null && v !== '') u.set(k, String(v));
  const s = u.toString();
  return s ? `?${s}` : '';
}

/** Explains a page whose backend is not configured, with the YAML that enables it. */
export function notConfigured(title, text, yaml) {
  return h(
    'div',
    { className: 'notice' },
    h('h1', {}, title),
    h('p', {}, text),
    yaml ? h('pre', {}, h('code', {}, yaml)) : null,
  );
}

export function errorBox(err) {
  return h('p', { className: 'error', attrs: { role: 'alert' } }, err instanceof Error ? err.message : String(err));
}
