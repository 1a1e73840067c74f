// Audit search: GET /api/logs/audit with filters, a time range, keyset paging
// (next_cursor; earlier pages from a stack) and one record's full detail.
import { api } from './api.js';
import { errorBox, field, h, notConfigured, qs, table, time } from './dom.js';

const TEXT = [
  ['event', 'Event'],
  ['component', 'Component'],
  ['user_id', 'User'],
  ['session_id', 'Session'],
];
const RANGES = [
  ['', 'Any time'],
  ['15m', 'Last 15 minutes'],
  ['1h', 'Last hour'],
  ['24h', 'Last 24 hours'],
  ['7d', 'Last 7 days'],
];

export const auditPage = {
  title: 'Audit search',
  mount(root, ctx) {
    if (!ctx.features.audit) {
      root.append(
        notConfigured(
          'Audit search',
          "Audit search reads the sqlite exporter's audit_logs table; " +
            'no sqlite exporter serves it on this collector. Add one to a pipeline:',
          'exporters:\n  sqlite:\n    path: ./data/auditline.db',
        ),
      );
      return null;
    }
    const { form, params } = auditForm();
    const status = h('p', { className: 'status', attrs: { 'aria-live': 'polite' } });
    const { table: t, tbody } = table(
      ['Time', 'Level', 'Component', 'Event', 'Message', 'User', 'Session'],
      'audit-rows',
    );
    const prev = h('button', { type: 'button', className: 'secondary', disabled: true }, 'Newer');
    const next = h('button', { type: 'button', className: 'secondary', disabled: true }, 'Older');
    const pageNo = h('span', { className: 'muted' });
    const detail = h(
      'aside',
      { className: 'panel detail', id: 'audit-detail', attrs: { 'aria-label': 'Record detail' } },
      h('p', { className: 'muted' }, 'Select a record to see every field.'),
    );
    root.append(
      h('h1', {}, 'Audit search'),
      form,
      status,
      h(
        'div',
        { className: 'split' },
        h('div', {}, h('div', { className: 'table-wrap' }, t), h('div', { className: 'pager' }, prev, next, pageNo)),
        detail,
      ),
    );

    let cursors = [null];
    let nextCursor = null;

    const load = async () => {
      status.textContent = 'Searching…';
      try {
        const page = await api(`/api/logs/audit${qs(params(cursors[cursors.length - 1]))}`);
        nextCursor = page.next_cursor;
        tbody.replaceChildren(...page.logs.map((r) => row(r, detail)));
        status.textContent = page.logs.length
          ? `${page.logs.length} records${nextCursor ? ', more on the next page' : ''}.`
          : 'No records match.';
        prev.disabled = cursors.length <= 1;
        next.disabled = !nextCursor;
        pageNo.textContent = `Page ${cursors.length}`;
      } catch (e) {
        status.replaceChildren(errorBox(e));
      }
    };
    form.addEventListener('submit', (e) => {
      e.preventDefault();
      cursors = [null];
      void load();
    });
    next.addEventListener('click', () => {
      if (nextCursor) {
        cursors.push(nextCursor);
        void load();
      }
    });
    prev.addEventListener('click', () => {
      if (cursors.length > 1) {
        cursors.pop();
        void load();
      }
    });
    void load();
    return null;
  },
};

/** The filter form, and the query parameters it stands for. */
function auditForm() {
  const inputs = Object.fromEntries(TEXT.map(([k]) => [k, h('input', { name: k, type: 'text', autocomplete: 'off' })]));
  const level = h(
    'select',
    { name: 'level' },
    h('option', { value: '' }, 'Any'),
    ['DEBUG', 'INFO', 'WARNING', 'ERROR', 'CRITICAL'].map((l) => h('option', { value: l }, l)),
    h('option', { value: 'WARNING,ERROR,CRITICAL' }, 'Warning and above'),
  );
  const range = h(
    'select',
    { name: 'range' },
    RANGES.map(([v, t]) => h('option', { value: v }, t)),
  );
  const since = h('input', { name: 'since', type: 'text', placeholder: 'ISO time or 2h', autocomplete: 'off' });
  const until = h('input', { name: 'until', type: 'text', placeholder: 'ISO time or 30m', autocomplete: 'off' });
  const limit = h(
    'select',
    { name: 'limit' },
    ['25', '50', '100', '500'].map((n) => h('option', { value: n, selected: n === '50' }, n)),
  );
  const form = h(
    'form',
    { className: 'filters', attrs: { 'aria-label': 'Audit filters' } },
    field('Level', level),
    TEXT.map(([k, l]) => field(l, inputs[k])),
    field('Range', range),
    field('Since', since),
    field('Until', until),
    field('Per page', limit),
    h('div', { className: 'actions' }, h('button', { type: 'submit' }, 'Search')),
  );
  range.addEventListener('change', () => {
    since.value = range.value;
  });
  const params = (cursor) => {
    const p = { level: level.value, since: since.value.trim(), until: until.value.trim(), limit: limit.value, cursor };
    for (const [k] of TEXT) p[k] = inputs[k].value.trim();
    return p;
  };
  return { form, params };
}

function row(r, detail) {
  const tr = h(
    'tr',
    { className: `clickable lvl-${r.level}`, tabIndex: 0, attrs: { 'aria-selected': 'false' } },
    h('td', { className: 'mono', title: r.timestamp }, time(r.timestamp)),
    h('td', {}, h('span', { className: 'lvl' }, r.level)),
    h('td', {}, r.component ?? ''),
    h('td', {}, r.event ?? ''),
    h('td', { className: 'msg' }, r.message ?? ''),
    h('td', {}, r.user_id ?? ''),
    h('td', { className: 'mono' }, r.session_id ?? ''),
  );
  const open = () => {
    for (const x of tr.parentElement.children) x.setAttribute('aria-selected', 'false');
    tr.setAttribute('aria-selected', 'true');
    showDetail(r, detail);
  };
  tr.addEventListener('click', open);
  tr.addEventListener('keydown', (e) => {
    if (e.key === 'Enter' || e.key === ' ') {
      e.preventDefault();
      open();
    }
  });
  return tr;
}

function showDetail(r, detail) {
  const items = [];
  for (const [k, v] of Object.entries(r)) {
    if (v === null || v === undefined || k === 'metadata') continue;
    items.push(h('dt', {}, k), h('dd', { className: k.endsWith('_id') ? 'mono' : '' }, String(v)));
  }
  let meta = r.metadata;
  if (typeof meta === 'string') {
    try {
      meta = JSON.parse(meta);
    } catch {
      /* shown as text */
    }
  }
  if (meta && typeof meta === 'object' && Object.keys(meta).length === 0) meta = null;
  detail.replaceChildren(
    h('h2', {}, `Record ${r.id ?? ''}`),
    h('dl', {}, items),
    ...(meta
      ? [h('h2', {}, 'Metadata'), h('pre', {}, typeof meta === 'string' ? meta : JSON.stringify(meta, null, 2))]
      : []),
  );
}
