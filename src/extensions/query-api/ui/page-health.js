// Health: the collector's own counters (GET /api/console/health): records
// accepted, refused, dropped, exporter queues, and every metric in a table.
import { api } from './api.js';
import { errorBox, h, num, table } from './dom.js';

const TILES = [
  ['accepted', 'Accepted records'],
  ['refused', 'Refused (backpressure)'],
  ['rejected', 'Rejected (bad data)'],
  ['dropped', 'Dropped by processors'],
  ['sent', 'Exported (all exporters)'],
  ['send_failed', 'Export failures'],
  ['enqueue_failed', 'Queue full drops'],
  ['stream_subscribers_dropped', 'Live streams dropped'],
];
const BAD = new Set(['refused', 'rejected', 'dropped', 'send_failed', 'enqueue_failed', 'stream_subscribers_dropped']);

export const healthPage = {
  title: 'Health',
  mount(root) {
    const view = h('div', { attrs: { 'aria-live': 'polite', 'aria-busy': 'true' } });
    root.append(h('h1', {}, 'Health'), view);
    const load = async () => {
      try {
        view.replaceChildren(healthView(await api('/api/console/health')));
        view.setAttribute('aria-busy', 'false');
      } catch (e) {
        view.replaceChildren(errorBox(e));
      }
    };
    void load();
    const timer = setInterval(load, 5000);
    return () => clearInterval(timer);
  },
};

function healthView(b) {
  const tiles = h(
    'div',
    { className: 'tiles', id: 'health-tiles' },
    TILES.map(([k, label]) =>
      h(
        'div',
        { className: `tile${BAD.has(k) && b.totals[k] > 0 ? ' bad' : ''}`, dataset: { key: k } },
        h('div', { className: 'v' }, num(b.totals[k])),
        h('div', { className: 'k' }, label),
      ),
    ),
  );
  const { table: qt, tbody: qb } = table(['Exporter', 'Delivery log', ['Queued', 'num'], ['Capacity', 'num'], 'Fill']);
  qb.append(
    ...b.queues.map((q) =>
      h(
        'tr',
        {},
        h('td', {}, q.exporter),
        h('td', {}, q.log ?? '–'),
        h('td', { className: 'num' }, num(q.size)),
        h('td', { className: 'num' }, num(q.capacity)),
        h(
          'td',
          {},
          q.capacity
            ? h('meter', {
                min: 0,
                max: q.capacity,
                value: q.size,
                high: q.capacity * 0.8,
                attrs: { 'aria-label': `${q.exporter} queue fill` },
              })
            : '',
        ),
      ),
    ),
  );
  const { table: mt, tbody: mb } = table(['Metric', 'Labels', ['Value', 'num']], 'health-metrics');
  mb.append(
    ...b.metrics.map((m) =>
      h(
        'tr',
        {},
        h('td', { className: 'mono' }, m.name),
        h(
          'td',
          { className: 'mono' },
          Object.entries(m.labels)
            .map(([k, v]) => `${k}=${v}`)
            .join(' '),
        ),
        h('td', { className: 'num' }, num(m.value)),
      ),
    ),
  );
  return h(
    'div',
    {},
    h('p', { className: 'muted' }, `Up ${duration(b.uptime_seconds)}.`),
    tiles,
    h('h2', {}, 'Exporter queues'),
    b.queues.length
      ? h('div', { className: 'table-wrap' }, qt)
      : h('p', { className: 'muted' }, 'No queue reported yet.'),
    h('details', {}, h('summary', {}, `All ${b.metrics.length} metrics`), h('div', { className: 'table-wrap' }, mt)),
  );
}

function duration(s) {
  if (s < 120) return `${s} s`;
  if (s < 7200) return `${Math.round(s / 60)} min`;
  return `${Math.round(s / 360) / 10} h`;
}
