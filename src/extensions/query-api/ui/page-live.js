// Live: the query API's SSE stream with filters, pause and a bounded buffer.
// Records are only queued on arrival; once per animation frame the queue joins
// the buffer (the newest BUFFER records; older ones are dropped) and only the
// rows in view are drawn: fixed-height rows in a window moved over a spacer as
// tall as the buffer. A frame's cost follows the rows on screen, not the
// buffer, so 10,000 rows scroll and update as cheaply as 20.
import { field, h, num, qs, time } from './dom.js';

export const BUFFER = 10_000;
/** Height of a row in px (console.css `.lv-row`). */
const ROW_H = 28;
/** Rows drawn above and below the visible ones. */
const OVERSCAN = 10;
const LEVELS = ['TRACE', 'DEBUG', 'INFO', 'WARNING', 'ERROR', 'CRITICAL'];
const FILTERS = [['event', 'Event'], ['component', 'Component'], ['user_id', 'User'], ['session_id', 'Session']];
const COLUMNS = ['Time', 'Level', 'Component', 'Event', 'Message', 'Session', 'User'];

export const livePage = {
  title: 'Live',
  mount(root, ctx) {
    let source = null;
    let queue = [];
    let records = [];
    let frame = 0;
    let paused = false;
    let received = 0;
    let state = 'connecting';

    const inputs = Object.fromEntries(FILTERS.map(([k]) => [k, h('input', { name: k, type: 'text', autocomplete: 'off' })]));
    const level = h('select', { name: 'level' }, h('option', { value: '' }, 'Any'),
      h('option', { value: 'WARNING,ERROR,CRITICAL' }, 'Warning and above'),
      h('option', { value: 'ERROR,CRITICAL' }, 'Error and above'),
      LEVELS.map((l) => h('option', { value: l }, l)));
    const pause = h('button', { type: 'button', className: 'secondary', attrs: { 'aria-pressed': 'false' } }, 'Pause');
    const clear = h('button', { type: 'button', className: 'secondary' }, 'Clear');
    const form = h('form', { className: 'filters', attrs: { 'aria-label': 'Live filters' } },
      field('Level', level), FILTERS.map(([k, label]) => field(label, inputs[k])),
      h('div', { className: 'actions' }, h('button', { type: 'submit' }, 'Apply'), pause, clear));
    const status = h('p', { className: 'status', id: 'live-status', attrs: { 'aria-live': 'polite', 'aria-atomic': 'true' } });
    const head = h('div', { className: 'lv-row lv-head', attrs: { role: 'row', 'aria-rowindex': 1 } },
      COLUMNS.map((c) => h('div', { attrs: { role: 'columnheader' } }, c)));
    const win = h('div', { className: 'lv-window', id: 'live-rows', attrs: { role: 'rowgroup' } });
    const spacer = h('div', { className: 'lv-body' }, win);
    const t = h('div', { className: 'lv-table', attrs: { role: 'table', 'aria-label': 'Live records, newest last', 'aria-rowcount': 1 } },
      h('div', { className: 'lv-headgroup', attrs: { role: 'rowgroup' } }, head), spacer);
    const wrap = h('div', { className: 'table-wrap live-wrap', tabIndex: 0, attrs: { role: 'region', 'aria-label': 'Live records' } }, t);
    root.append(h('h1', {}, 'Live'), form, status, wrap);

    /** Draws the rows in view (and OVERSCAN around them) into the window. */
    const draw = () => {
      const first = Math.max(0, Math.floor(wrap.scrollTop / ROW_H) - OVERSCAN);
      const count = Math.ceil(wrap.clientHeight / ROW_H) + 2 * OVERSCAN;
      const last = Math.min(records.length, first + count);
      const frag = document.createDocumentFragment();
      for (let i = first; i < last; i++) frag.append(row(records[i], i + 2));
      win.replaceChildren(frag);
      win.style.transform = `translateY(${first * ROW_H}px)`;
    };

    const render = () => {
      frame = 0;
      if (!paused && queue.length) {
        const stick = wrap.scrollTop + wrap.clientHeight >= wrap.scrollHeight - ROW_H;
        records = records.concat(queue);
        queue = [];
        const dropped = records.length - BUFFER;
        if (dropped > 0) records = records.slice(dropped);
        spacer.style.height = `${records.length * ROW_H}px`;
        t.setAttribute('aria-rowcount', String(records.length + 1));
        if (stick) wrap.scrollTop = wrap.scrollHeight;
        else if (dropped > 0) wrap.scrollTop = Math.max(0, wrap.scrollTop - dropped * ROW_H); // the same records stay in view
      }
      draw();
    };
    const schedule = () => { if (!frame) frame = requestAnimationFrame(render); };
    wrap.addEventListener('scroll', schedule, { passive: true });

    const onLog = (ev) => {
      const r = JSON.parse(ev.data);
      received++;
      const job = r.attributes?.['job.id'];
      if (job !== undefined) ctx.seenJobs.add(String(job));
      queue.push(r);
      // While paused the queue is bounded too: the oldest waiting records go first.
      if (queue.length > 2 * BUFFER) queue = queue.slice(queue.length - BUFFER);
      if (!paused) schedule();
    };

    // The count is announced at most once a second, not per record; a change of state at once.
    const showStatus = () => {
      const waiting = paused && queue.length ? ` · ${num(Math.min(queue.length, BUFFER))} waiting` : '';
      status.textContent = `${paused ? 'Paused' : state[0].toUpperCase() + state.slice(1)} · ${num(records.length)} rows `
        + `(newest ${num(BUFFER)} kept) · ${num(received)} received${waiting}`;
      status.dataset.rows = String(records.length);
      status.dataset.received = String(received);
    };
    const tick = setInterval(showStatus, 1000);
    const setState = (s) => { state = s; showStatus(); };

    const connect = () => {
      if (source) source.close();
      const params = { level: level.value };
      for (const [k] of FILTERS) params[k] = inputs[k].value.trim();
      setState('connecting');
      source = new EventSource(`/api/logs/stream${qs(params)}`);
      source.addEventListener('open', () => setState('connected'));
      source.addEventListener('log', onLog);
      source.addEventListener('dropped', () => setState('dropped by the server (reading too slowly); reconnecting'));
      source.addEventListener('shutdown', () => setState('the collector is shutting down'));
      source.addEventListener('error', () => {
        if (source.readyState === EventSource.OPEN) return;
        setState('disconnected; retrying');
        // A stream refused for good (e.g. the session expired): the API call below signs out on 401.
        if (source.readyState === EventSource.CLOSED) ctx.checkSession();
      });
    };
    const reset = () => {
      records = [];
      queue = [];
      spacer.style.height = '0px';
      schedule();
      showStatus();
    };

    form.addEventListener('submit', (e) => { e.preventDefault(); reset(); connect(); });
    pause.addEventListener('click', () => {
      paused = !paused;
      pause.setAttribute('aria-pressed', String(paused));
      pause.textContent = paused ? 'Resume' : 'Pause';
      showStatus();
      if (!paused) schedule();
    });
    clear.addEventListener('click', reset);
    connect();

    return () => {
      clearInterval(tick);
      if (frame) cancelAnimationFrame(frame);
      source?.close();
    };
  },
};

let template = null;

/** A row cloned from a template and filled with textContent: much cheaper than building each element. */
function row(r, index) {
  if (!template) {
    const c = (cls) => h('div', { className: cls, attrs: { role: 'cell' } });
    template = h('div', { className: 'lv-row', attrs: { role: 'row' } },
      c('mono'), h('div', { attrs: { role: 'cell' } }, h('span', { className: 'lvl' })), c(''), c(''), c('msg'), c('mono'), c(''));
  }
  const el = template.cloneNode(true);
  el.className = `lv-row lvl-${r.level}`;
  el.setAttribute('aria-rowindex', String(index));
  const [t, l, comp, ev, msg, sess, user] = el.children;
  t.textContent = time(r.timestamp);
  t.title = r.timestamp;
  l.firstChild.textContent = r.level;
  comp.textContent = r.component ?? '';
  ev.textContent = r.event ?? '';
  msg.textContent = r.message ?? '';
  if (msg.textContent.length > 80) msg.title = msg.textContent;
  sess.textContent = r.session_id ?? '';
  user.textContent = r.user_id ?? '';
  return el;
}
