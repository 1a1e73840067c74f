// Alerts: the alerts extension's rules, their state and recent history (GET /api/alerts).
import { api } from './api.js';
import { errorBox, h, notConfigured, table, time } from './dom.js';

export const alertsPage = {
  title: 'Alerts',
  mount(root, ctx) {
    if (!ctx.features.alerts) {
      root.append(
        notConfigured(
          'Alerts',
          'The alerts extension is not configured on this collector. It evaluates rules ' +
            '(error rate, response time, traffic, OAuth failures) over the records leaving the pipelines:',
          'extensions:\n  alerts:\n    error_rate: { threshold: 0.05, window: 1m }\n' +
            'service:\n  extensions: [query_api, alerts]',
        ),
      );
      return null;
    }
    const view = h('div', { attrs: { 'aria-live': 'polite' } });
    root.append(h('h1', {}, 'Alerts'), view);
    const load = async () => {
      try {
        view.replaceChildren(alertsView(await api('/api/alerts')));
      } catch (e) {
        view.replaceChildren(errorBox(e));
      }
    };
    void load();
    const timer = setInterval(load, 5000);
    return () => clearInterval(timer);
  },
};

function alertsView(body) {
  const { table: rules, tbody } = table(
    ['Rule', 'State', 'Value', 'Condition', 'Window', 'Since', ['Fired', 'num']],
    'alert-rules',
  );
  tbody.append(
    ...body.rules.map((r) =>
      h(
        'tr',
        {},
        h('td', {}, r.rule),
        h('td', {}, h('span', { className: `badge ${r.state}` }, r.state)),
        h('td', { className: 'num' }, r.value === null ? '–' : String(Math.round(r.value * 1000) / 1000)),
        h('td', { className: 'mono' }, r.condition),
        h('td', {}, `${Math.round(r.window_ms / 1000)} s`),
        h('td', {}, time(r.since)),
        h('td', { className: 'num' }, String(r.fired_count)),
      ),
    ),
  );
  const { table: hist, tbody: hb } = table(['Time', 'Status', 'Rule', 'Value'], 'alert-history');
  hb.append(
    ...[...body.history]
      .reverse()
      .map((e) =>
        h(
          'tr',
          {},
          h('td', {}, time(e.at ?? e.timestamp ?? e.time)),
          h('td', {}, h('span', { className: `badge ${e.status}` }, e.status)),
          h('td', {}, e.rule),
          h(
            'td',
            { className: 'num' },
            e.value === null || e.value === undefined ? '–' : String(Math.round(e.value * 1000) / 1000),
          ),
        ),
      ),
  );
  return h(
    'div',
    {},
    h(
      'p',
      {},
      body.active.length
        ? `${body.active.length} firing: ${body.active.map((r) => r.rule).join(', ')}.`
        : 'Nothing is firing.',
    ),
    h('div', { className: 'table-wrap' }, rules),
    h('h2', {}, 'History'),
    body.history.length
      ? h('div', { className: 'table-wrap' }, hist)
      : h('p', { className: 'muted' }, 'No alert has fired yet.'),
  );
}
