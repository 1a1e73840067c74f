// Live: the query API's SSE stream with filters, pause and a bounded buffer.
// Events are only queued on arrival; one animation frame turns the queue into
// rows (one DocumentFragment) and drops the oldest rows past BUFFER, so a burst
// costs one layout, and a long session never holds more than BUFFER rows.
import { field, h, num, qs, table, time } from './dom.js';

export const BUFFER = 10_000;
const LEVELS = ['TRACE', 'DEBUG', 'INFO', 'WARNING', 'ERROR', 'CRITICAL'];
const FILTERS = [['event', 'Event'], ['component', 'Component'], ['user_id', 'User'], ['session_id', 'Session']];

export const livePage = {
  title: 'Live',
  mount(root, ctx) {
    let source = null;
    let queue = [];
    let frame = 0;
    let paused = false;
    let rows = 0;
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
    const { table: t, tbody } = table(['Time', 'Level', 'Component', 'Event', 'Message', 'Session', 'User'], 'live-rows');
    const wrap = h('div', { className: 'table-wrap live-wrap', tabIndex: 0, attrs: { role: 'region', 'aria-label': 'Live records, newest last' } }, t);
    root.append(h('h1', {}, 'Live'), form, status, wrap);

    const render = () => {
      frame = 0;
      if (paused || queue.length === 0) return;
      const batch = queue.length > BUFFER ? queue.slice(queue.length - BUFFER) : queue;
      queue = [];
      const stick = wrap.scrollTop + wrap.clientHeight >= wrap.scrollHeight - 40;
      const frag = document.createDocumentFragment();
      for (const r of batch) frag.append(row(r));
      tbody.append(frag);
      rows += batch.length;
      while (rows > BUFFER) { tbody.firstElementChild.remove(); rows--; }
      if (stick) wrap.scrollTop = wrap.scrollHeight;
    };
    const schedule = () => { if (!frame && !paused) frame = requestAnimationFrame(render); };

    const onLog = (ev) => {
      const r = JSON.parse(ev.data);
      received++;
      const job = r.attributes?.['job.id'];
      if (job !== undefined) ctx.seenJobs.add(String(job));
      queue.push(r);
      // While paused the queue is the buffer: the oldest waiting records go first.
      if (queue.length > BUFFER) queue.splice(0, queue.length - BUFFER);
      schedule();
    };

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
      source.addEventListener('error', () => { if (source.readyState !== EventSource.OPEN) setState('disconnected; retrying'); });
    };

    // The count is announced at most once a second, not per record; a change of state at once.
    const showStatus = () => {
      const waiting = paused && queue.length ? ` · ${num(queue.length)} waiting` : '';
      status.textContent = `${paused ? 'Paused' : state[0].toUpperCase() + state.slice(1)} · ${num(rows)} rows shown `
        + `(newest ${num(BUFFER)} kept) · ${num(received)} received${waiting}`;
      status.dataset.rows = String(rows);
      status.dataset.received = String(received);
    };
    const tick = setInterval(showStatus, 1000);
    const setState = (s) => { state = s; showStatus(); };

    form.addEventListener('submit', (e) => {
      e.preventDefault();
      tbody.replaceChildren();
      rows = 0;
      queue = [];
      connect();
    });
    pause.addEventListener('click', () => {
      paused = !paused;
      pause.setAttribute('aria-pressed', String(paused));
      pause.textContent = paused ? 'Resume' : 'Pause';
      showStatus();
      if (!paused) schedule();
    });
    clear.addEventListener('click', () => { tbody.replaceChildren(); rows = 0; queue = []; });
    connect();

    return () => {
      clearInterval(tick);
      if (frame) cancelAnimationFrame(frame);
      source?.close();
    };
  },
};

function row(r) {
  return h('tr', { className: `lvl-${r.level}` },
    h('td', { className: 'mono', title: r.timestamp }, time(r.timestamp)),
    h('td', {}, h('span', { className: 'lvl' }, r.level)),
    h('td', {}, r.component ?? ''),
    h('td', {}, r.event ?? ''),
    h('td', { className: 'msg' }, r.message ?? ''),
    h('td', { className: 'mono' }, r.session_id ?? ''),
    h('td', {}, r.user_id ?? ''));
}
