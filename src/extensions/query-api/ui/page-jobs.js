// Jobs: one job's entries (GET /api/logs/jobs/{id}) as a progress bar from the
// latest progress_current/progress_total (or an "N/M" in the message), with
// the entries below. Job ids come from the form, from jobs opened before
// (kept in localStorage) and from records the Live page saw.
import { api } from './api.js';
import { errorBox, field, h, notConfigured, table, time } from './dom.js';

const RECENT_KEY = 'auditline-recent-jobs';

export const jobsPage = {
  title: 'Jobs',
  mount(root, ctx) {
    if (!ctx.features.jobs) {
      root.append(
        notConfigured(
          'Jobs',
          "Job progress is read from the sqlite exporter's job_logs table (records with a job.id " +
            'attribute); no sqlite exporter serves it on this collector.',
          'exporters:\n  sqlite:\n    path: ./data/auditline.db',
        ),
      );
      return null;
    }
    const input = h('input', { name: 'job_id', type: 'text', autocomplete: 'off', required: true });
    const auto = h('input', { type: 'checkbox', id: 'jobs-auto', checked: true });
    const form = h(
      'form',
      { className: 'filters', attrs: { 'aria-label': 'Open a job' } },
      field('Job id', input),
      h('div', { className: 'actions' }, h('button', { type: 'submit' }, 'Show')),
      h('label', { className: 'check' }, auto, ' Refresh every 2 s'),
    );
    const recent = h('div', { className: 'recent', attrs: { role: 'group', 'aria-label': 'Recent jobs' } });
    const view = h('div', { id: 'job-view', attrs: { 'aria-live': 'polite' } });
    root.append(h('h1', {}, 'Jobs'), form, recent, view);

    let current = null;
    const showRecent = () => {
      const ids = [...new Set([...ctx.seenJobs, ...loadRecent()])].slice(0, 20);
      const buttons = ids.map((id) =>
        h(
          'button',
          {
            type: 'button',
            className: 'secondary',
            onclick: () => {
              input.value = id;
              void open(id);
            },
          },
          id,
        ),
      );
      recent.replaceChildren(...(ids.length ? [h('span', { className: 'muted' }, 'Recent:'), ...buttons] : []));
    };
    const open = async (id) => {
      current = id;
      try {
        const page = await api(`/api/logs/jobs/${encodeURIComponent(id)}?limit=10000`);
        if (current !== id) return;
        remember(id);
        view.replaceChildren(jobView(page));
      } catch (e) {
        view.replaceChildren(errorBox(e.status === 404 ? `Job "${id}" has no entries.` : e));
      }
      showRecent();
    };
    form.addEventListener('submit', (e) => {
      e.preventDefault();
      if (input.value.trim()) void open(input.value.trim());
    });
    const timer = setInterval(() => {
      if (auto.checked && current) void open(current);
    }, 2000);
    showRecent();
    const first = [...ctx.seenJobs, ...loadRecent()][0];
    if (first) {
      input.value = first;
      void open(first);
    }
    return () => clearInterval(timer);
  },
};

/** The progress of a job: its latest entry with numbers. */
export function progressOf(logs) {
  for (let i = logs.length - 1; i >= 0; i--) {
    const e = logs[i];
    const cur = Number(e.progress_current);
    const tot = Number(e.progress_total);
    if (e.progress_total !== null && e.progress_total !== undefined && tot > 0)
      return { current: cur || 0, total: tot, entry: e };
    const m = /(\d+)\s*(?:\/|of)\s*(\d+)/.exec(e.message ?? '');
    if (m && Number(m[2]) > 0) return { current: Number(m[1]), total: Number(m[2]), entry: e };
  }
  return null;
}

function jobView(page) {
  const logs = page.logs;
  const p = progressOf(logs);
  const last = logs[logs.length - 1];
  const failed = logs.some((e) => e.level === 'ERROR' || e.level === 'CRITICAL');
  const done = p && p.current >= p.total;
  const state = failed ? 'failed' : done ? 'done' : 'running';
  const caption = p ? p.entry.message || `${p.current}/${p.total}` : (last?.message ?? '');
  const bar = p
    ? h('progress', {
        max: p.total,
        value: Math.min(p.current, p.total),
        attrs: { 'aria-label': `Job ${page.job_id} progress` },
      })
    : h('progress', { attrs: { 'aria-label': `Job ${page.job_id} progress (unknown)` } });
  const { table: t, tbody } = table(['Time', 'Level', 'Message', 'Progress'], 'job-rows');
  tbody.append(
    ...logs.map((e) =>
      h(
        'tr',
        { className: `lvl-${e.level}` },
        h('td', { className: 'mono', title: e.timestamp }, time(e.timestamp)),
        h('td', {}, h('span', { className: 'lvl' }, e.level)),
        h('td', { className: 'msg' }, e.message ?? ''),
        h('td', { className: 'num' }, e.progress_total ? `${e.progress_current ?? 0}/${e.progress_total}` : ''),
      ),
    ),
  );
  return h(
    'section',
    { className: 'panel job', attrs: { 'aria-label': `Job ${page.job_id}` } },
    h(
      'div',
      { className: 'caption' },
      h('strong', {}, page.job_id),
      h('span', { className: 'muted' }, `${state} · ${logs.length} entries${p ? ` · ${percentDone(p)} %` : ''}`),
    ),
    bar,
    h('p', { className: 'job-caption' }, caption),
    h('div', { className: 'table-wrap' }, t),
  );
}

function percentDone(p) {
  return Math.round((100 * Math.min(p.current, p.total)) / p.total);
}

function loadRecent() {
  try {
    return JSON.parse(localStorage.getItem(RECENT_KEY) ?? '[]');
  } catch {
    return [];
  }
}

function remember(id) {
  const ids = [id, ...loadRecent().filter((x) => x !== id)].slice(0, 20);
  try {
    localStorage.setItem(RECENT_KEY, JSON.stringify(ids));
  } catch {
    /* not persisted */
  }
}
