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
const FILTERS = [
  ['event', 'Event'],
  ['component', 'Component'],
  ['user_id', 'User'],
  ['session_id', 'Session'],
];
const COLUMNS = ['Time', 'Level', 'Component', 'Event', 'Message', 'Session', 'User'];

export const livePage = {
  title: 'Live',
  mount(root, ctx) {
    const view = new LiveView(root, ctx);
    return () => view.destroy();
  },
};

class LiveView {
  source = null;
  queue = [];
  records = [];
  frame = 0;
  paused = false;
  received = 0;
  state = 'connecting';

  constructor(root, ctx) {
    this.ctx = ctx;
    const form = this.buildForm();
    this.status = h('p', {
      className: 'status',
      id: 'live-status',
      attrs: { 'aria-live': 'polite', 'aria-atomic': 'true' },
    });
    root.append(h('h1', {}, 'Live'), form, this.status, this.buildTable());
    form.addEventListener('submit', (e) => {
      e.preventDefault();
      this.reset();
      this.connect();
    });
    this.pauseButton.addEventListener('click', () => this.togglePause());
    this.clearButton.addEventListener('click', () => this.reset());
    this.wrap.addEventListener('scroll', () => this.schedule(), { passive: true });
    // The count is announced at most once a second, not per record; a change of state at once.
    this.tick = setInterval(() => this.showStatus(), 1000);
    this.connect();
  }

  buildForm() {
    this.inputs = Object.fromEntries(
      FILTERS.map(([k]) => [k, h('input', { name: k, type: 'text', autocomplete: 'off' })]),
    );
    this.level = h(
      'select',
      { name: 'level' },
      h('option', { value: '' }, 'Any'),
      h('option', { value: 'WARNING,ERROR,CRITICAL' }, 'Warning and above'),
      h('option', { value: 'ERROR,CRITICAL' }, 'Error and above'),
      LEVELS.map((l) => h('option', { value: l }, l)),
    );
    this.pauseButton = h(
      'button',
      { type: 'button', className: 'secondary', attrs: { 'aria-pressed': 'false' } },
      'Pause',
    );
    this.clearButton = h('button', { type: 'button', className: 'secondary' }, 'Clear');
    return h(
      'form',
      { className: 'filters', attrs: { 'aria-label': 'Live filters' } },
      field('Level', this.level),
      FILTERS.map(([k, label]) => field(label, this.inputs[k])),
      h('div', { className: 'actions' }, h('button', { type: 'submit' }, 'Apply'), this.pauseButton, this.clearButton),
    );
  }

  buildTable() {
    const head = h(
      'div',
      { className: 'lv-row lv-head', attrs: { role: 'row', 'aria-rowindex': 1 } },
      COLUMNS.map((c) => h('div', { attrs: { role: 'columnheader' } }, c)),
    );
    this.win = h('div', { className: 'lv-window', id: 'live-rows', attrs: { role: 'rowgroup' } });
    this.spacer = h('div', { className: 'lv-body' }, this.win);
    this.table = h(
      'div',
      {
        className: 'lv-table',
        attrs: { role: 'table', 'aria-label': 'Live records, newest last', 'aria-rowcount': 1 },
      },
      h('div', { className: 'lv-headgroup', attrs: { role: 'rowgroup' } }, head),
      this.spacer,
    );
    this.wrap = h(
      'div',
      { className: 'table-wrap live-wrap', tabIndex: 0, attrs: { role: 'region', 'aria-label': 'Live records' } },
      this.table,
    );
    return this.wrap;
  }

  connect() {
    if (this.source) this.source.close();
    const params = { level: this.level.value };
    for (const [k] of FILTERS) params[k] = this.inputs[k].value.trim();
    this.setState('connecting');
    const source = new EventSource(`/api/logs/stream${qs(params)}`);
    this.source = source;
    source.addEventListener('open', () => this.setState('connected'));
    source.addEventListener('log', (ev) => this.onLog(ev));
    source.addEventListener('dropped', () => this.setState('dropped by the server (reading too slowly); reconnecting'));
    source.addEventListener('shutdown', () => this.setState('the collector is shutting down'));
    source.addEventListener('error', () => {
      if (source.readyState === EventSource.OPEN) return;
      this.setState('disconnected; retrying');
      // A stream refused for good (e.g. the session expired): the API call signs out on 401.
      if (source.readyState === EventSource.CLOSED) this.ctx.checkSession();
    });
  }

  onLog(ev) {
    const r = JSON.parse(ev.data);
    this.received++;
    const job = r.attributes?.['job.id'];
    if (job !== undefined) this.ctx.seenJobs.add(String(job));
    this.queue.push(r);
    // While paused the queue is bounded too: the oldest waiting records go first.
    if (this.queue.length > 2 * BUFFER) this.queue = this.queue.slice(this.queue.length - BUFFER);
    if (!this.paused) this.schedule();
  }

  schedule() {
    if (!this.frame) this.frame = requestAnimationFrame(() => this.render());
  }

  /** Once per frame: waiting records join the buffer (oldest dropped past BUFFER), then the view is drawn. */
  render() {
    this.frame = 0;
    const wrap = this.wrap;
    if (!this.paused && this.queue.length) {
      const stick = wrap.scrollTop + wrap.clientHeight >= wrap.scrollHeight - ROW_H;
      let records = this.records.concat(this.queue);
      this.queue = [];
      const dropped = records.length - BUFFER;
      if (dropped > 0) records = records.slice(dropped);
      this.records = records;
      this.spacer.style.height = `${records.length * ROW_H}px`;
      this.table.setAttribute('aria-rowcount', String(records.length + 1));
      if (stick) wrap.scrollTop = wrap.scrollHeight;
      // Scrolled back: the same records stay in view while older ones drop off the top.
      else if (dropped > 0) wrap.scrollTop = Math.max(0, wrap.scrollTop - dropped * ROW_H);
    }
    this.draw();
  }

  /** Draws the rows in view (and OVERSCAN around them) into the window. */
  draw() {
    const first = Math.max(0, Math.floor(this.wrap.scrollTop / ROW_H) - OVERSCAN);
    const last = Math.min(this.records.length, first + Math.ceil(this.wrap.clientHeight / ROW_H) + 2 * OVERSCAN);
    const frag = document.createDocumentFragment();
    for (let i = first; i < last; i++) frag.append(row(this.records[i], i + 2));
    this.win.replaceChildren(frag);
    this.win.style.transform = `translateY(${first * ROW_H}px)`;
  }

  showStatus() {
    const waiting = this.paused && this.queue.length ? ` · ${num(Math.min(this.queue.length, BUFFER))} waiting` : '';
    const state = this.paused ? 'Paused' : this.state[0].toUpperCase() + this.state.slice(1);
    const rows = `${num(this.records.length)} rows (newest ${num(BUFFER)} kept)`;
    this.status.textContent = `${state} · ${rows} · ${num(this.received)} received${waiting}`;
    this.status.dataset.rows = String(this.records.length);
    this.status.dataset.received = String(this.received);
  }

  setState(s) {
    this.state = s;
    this.showStatus();
  }

  togglePause() {
    this.paused = !this.paused;
    this.pauseButton.setAttribute('aria-pressed', String(this.paused));
    this.pauseButton.textContent = this.paused ? 'Resume' : 'Pause';
    this.showStatus();
    if (!this.paused) this.schedule();
  }

  reset() {
    this.records = [];
    this.queue = [];
    this.spacer.style.height = '0px';
    this.schedule();
    this.showStatus();
  }

  destroy() {
    clearInterval(this.tick);
    if (this.frame) cancelAnimationFrame(this.frame);
    this.source?.close();
  }
}

let template = null;

/** A row cloned from a template and filled with textContent: much cheaper than building each element. */
function row(r, index) {
  if (!template) {
    const c = (cls) => h('div', { className: cls, attrs: { role: 'cell' } });
    template = h(
      'div',
      { className: 'lv-row', attrs: { role: 'row' } },
      c('mono'),
      h('div', { attrs: { role: 'cell' } }, h('span', { className: 'lvl' })),
      c(''),
      c(''),
      c('msg'),
      c('mono'),
      c(''),
    );
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
