// Requests (redis exporter): summary tiles and charts over time (requests/s,
// error rate, p50/p95/p99, unique visitors), top paths, slow requests,
// errors, and a drill-down by client IP or user.
import { api } from './api.js';
import { lineChart } from './chart.js';
import { errorBox, field, h, ms, notConfigured, num, pct, qs, table, time } from './dom.js';

const WINDOWS = [
  ['1', 'Last hour'],
  ['6', 'Last 6 hours'],
  ['24', 'Last 24 hours'],
  ['168', 'Last 7 days'],
];

export const requestsPage = {
  title: 'Requests',
  mount(root, ctx) {
    if (!ctx.features.requests) {
      root.append(
        notConfigured(
          'Requests',
          "Request dashboards read the redis exporter's indexes and statistics; " +
            'no redis exporter serves them on this collector. Add one to a pipeline:',
          'exporters:\n  redis:\n    endpoint: redis://127.0.0.1:6379',
        ),
      );
      return null;
    }
    const { hours, kind, who, top, drillForm, tiles, charts, paths, slow, errors, drill, nodes } = layout();
    root.append(...nodes);

    const showDrill = async (k, v) => {
      kind.value = k;
      who.value = v;
      try {
        const path = k === 'ip' ? `/logs/ip/${encodeURIComponent(v)}` : `/logs/user/${encodeURIComponent(v)}`;
        const { logs } = await api(`${path}${qs({ hours: hours.value, limit: 200 })}`);
        drill.replaceChildren(
          h('p', { className: 'muted' }, `${logs.length} requests from ${k === 'ip' ? 'client' : 'user'} ${v}.`),
          requestTable([...logs].reverse(), 'drill-rows', showDrill),
        );
      } catch (e) {
        drill.replaceChildren(errorBox(e));
      }
    };
    const load = async () => {
      const w = { hours: hours.value };
      const parts = await Promise.allSettled([
        api(`/logs/metrics${qs(w)}`),
        ctx.features.request_series ? api(`/logs/metrics/series${qs({ ...w, buckets: 20 })}`) : Promise.resolve(null),
        api(`/logs/paths${qs({ ...w, limit: 10 })}`),
        api(`/logs/slow${qs({ ...w, limit: 20 })}`),
        api(`/logs/errors${qs({ ...w, limit: 20 })}`),
      ]);
      const [m, series, p, sl, er] = parts.map((x) => (x.status === 'fulfilled' ? x.value : x.reason));
      tiles.replaceChildren(...(m instanceof Error ? [errorBox(m)] : summary(m)));
      charts.replaceChildren(...(series instanceof Error ? [errorBox(series)] : series ? chartsOf(series) : []));
      paths.replaceChildren(p instanceof Error ? errorBox(p) : pathTable(p));
      slow.replaceChildren(
        sl instanceof Error ? errorBox(sl) : requestTable([...sl.logs].reverse(), 'slow-rows', showDrill),
      );
      errors.replaceChildren(
        er instanceof Error ? errorBox(er) : requestTable([...er.logs].reverse(), 'error-rows', showDrill),
      );
    };
    top.addEventListener('submit', (e) => {
      e.preventDefault();
      void load();
    });
    hours.addEventListener('change', () => void load());
    drillForm.addEventListener('submit', (e) => {
      e.preventDefault();
      if (who.value.trim()) void showDrill(kind.value, who.value.trim());
    });
    void load();
    const timer = setInterval(load, 15_000);
    return () => clearInterval(timer);
  },
};

/** The page's forms and the containers each part of the data is drawn into. */
function layout() {
  const hours = h(
    'select',
    { name: 'hours' },
    WINDOWS.map(([v, t]) => h('option', { value: v }, t)),
  );
  const refresh = h('button', { type: 'submit' }, 'Refresh');
  const kind = h(
    'select',
    { name: 'kind' },
    h('option', { value: 'ip' }, 'Client IP'),
    h('option', { value: 'user' }, 'User'),
  );
  const who = h('input', { name: 'who', type: 'text', autocomplete: 'off', placeholder: '203.0.113.7 or a user id' });
  const top = h(
    'form',
    { className: 'filters', attrs: { 'aria-label': 'Time window' } },
    field('Window', hours),
    h('div', { className: 'actions' }, refresh),
  );
  const drillForm = h(
    'form',
    { className: 'filters', attrs: { 'aria-label': 'Drill down' } },
    field('By', kind),
    field('Value', who),
    h('div', { className: 'actions' }, h('button', { type: 'submit' }, 'Show requests')),
  );
  const tiles = h('div', { className: 'tiles', id: 'req-tiles', attrs: { 'aria-live': 'polite' } });
  const charts = h('div', { className: 'charts', id: 'req-charts' });
  const paths = h('div', { id: 'req-paths' });
  const slow = h('div', { id: 'req-slow' });
  const errors = h('div', { id: 'req-errors' });
  const drill = h('div', { id: 'req-drill', attrs: { 'aria-live': 'polite' } });
  const nodes = [
    h('h1', {}, 'Requests'),
    top,
    tiles,
    charts,
    h(
      'div',
      { className: 'grid2' },
      h('section', { attrs: { 'aria-labelledby': 'h-paths' } }, h('h2', { id: 'h-paths' }, 'Top paths'), paths),
      h('section', { attrs: { 'aria-labelledby': 'h-slow' } }, h('h2', { id: 'h-slow' }, 'Slow requests'), slow),
    ),
    h('section', { attrs: { 'aria-labelledby': 'h-errors' } }, h('h2', { id: 'h-errors' }, 'Errors'), errors),
    h(
      'section',
      { attrs: { 'aria-labelledby': 'h-drill' } },
      h('h2', { id: 'h-drill' }, 'Drill down'),
      drillForm,
      drill,
    ),
  ];

  return { hours, kind, who, top, drillForm, tiles, charts, paths, slow, errors, drill, nodes };
}

function summary(m) {
  const tile = (k, v, bad) =>
    h(
      'div',
      { className: `tile${bad ? ' bad' : ''}` },
      h('div', { className: 'v' }, v),
      h('div', { className: 'k' }, k),
    );
  return [
    tile('Requests', num(m.requests)),
    tile('Requests/s', String(m.requests_per_second)),
    tile('Error rate', pct(m.error_rate), m.error_rate > 0.05),
    tile('p50', ms(m.p50_response_time)),
    tile('p95', ms(m.p95_response_time)),
    tile('p99', ms(m.p99_response_time)),
    tile('Unique visitors', num(m.unique_visitors)),
  ];
}

function chartsOf(s) {
  const times = s.buckets.map((b) => b.start);
  const col = (k) => s.buckets.map((b) => b[k]);
  const compact = (v) => (v === null ? '–' : v >= 100 ? String(Math.round(v)) : String(Math.round(v * 100) / 100));
  return [
    lineChart({
      title: 'Requests per second',
      times,
      series: [{ name: 'req/s', values: col('requests_per_second') }],
      format: compact,
    }),
    lineChart({
      title: 'Error rate',
      times,
      series: [{ name: 'errors', values: col('error_rate') }],
      format: (v) => (v === null ? '–' : `${Math.round(v * 1000) / 10}%`),
    }),
    lineChart({
      title: 'Response time (ms)',
      times,
      format: compact,
      series: [
        { name: 'p50', values: col('p50_response_time') },
        { name: 'p95', values: col('p95_response_time') },
        { name: 'p99', values: col('p99_response_time') },
      ],
    }),
    lineChart({
      title: 'Unique visitors',
      times,
      series: [{ name: 'visitors', values: col('unique_visitors') }],
      format: compact,
    }),
  ];
}

function pathTable(p) {
  if (!p.patterns.length) return h('p', { className: 'muted' }, 'No requests in this window.');
  const { table: t, tbody } = table(['Path', 'Methods', ['Requests', 'num']], 'path-rows');
  tbody.append(
    ...p.patterns.map((x) =>
      h(
        'tr',
        {},
        h('td', { className: 'mono' }, x.pattern),
        h(
          'td',
          {},
          Object.entries(x.methods)
            .map(([m, n]) => `${m} ${n}`)
            .join(', '),
        ),
        h('td', { className: 'num' }, num(x.count)),
      ),
    ),
  );
  return h('div', { className: 'table-wrap' }, t);
}

/** Redis entries carry Unix seconds (`1705314645.123456`) or an ISO time. */
function entryTime(ts) {
  return /^\d+(\.\d+)?$/.test(String(ts)) ? Number(ts) * 1000 : ts;
}

/** Requests newest first; the IP and user cells drill down. */
function requestTable(logs, id, drill) {
  if (!logs.length) return h('p', { className: 'muted' }, 'None in this window.');
  const { table: t, tbody } = table(
    ['Time', 'Method', 'Path or message', ['Status', 'num'], ['Time (ms)', 'num'], 'Client', 'User', 'Error'],
    id,
  );
  const link = (k, v) =>
    v
      ? h(
          'button',
          {
            type: 'button',
            className: 'link',
            onclick: () => drill(k, v),
            attrs: { 'aria-label': `Requests of ${k === 'ip' ? 'client' : 'user'} ${v}` },
          },
          v,
        )
      : '';
  tbody.append(
    ...logs.map((r) =>
      h(
        'tr',
        { className: r.status_code >= 500 ? 'lvl-ERROR' : r.status_code >= 400 ? 'lvl-WARNING' : '' },
        h('td', { className: 'mono', title: r.timestamp }, time(entryTime(r.timestamp))),
        h('td', {}, r.method ?? ''),
        r.path ? h('td', { className: 'mono' }, r.path) : h('td', { className: 'msg' }, r.message ?? r.event ?? ''),
        h('td', { className: 'num' }, r.status_code ?? ''),
        h('td', { className: 'num' }, r.response_time_ms ?? ''),
        h('td', { className: 'mono' }, link('ip', r.client_ip)),
        h('td', {}, link('user', r.user_id)),
        h('td', {}, r.error ?? ''),
      ),
    ),
  );
  return h('div', { className: 'table-wrap' }, t);
}
