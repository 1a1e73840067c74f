// The console's shell: sign-in, theme, navigation (#/page) and mounting one page at a time.
import { api, setCsrf, whenSignedOut } from './api.js';
import { alertsPage } from './page-alerts.js';
import { auditPage } from './page-audit.js';
import { healthPage } from './page-health.js';
import { jobsPage } from './page-jobs.js';
import { livePage } from './page-live.js';
import { requestsPage } from './page-requests.js';

const PAGES = {
  live: livePage,
  audit: auditPage,
  jobs: jobsPage,
  requests: requestsPage,
  alerts: alertsPage,
  health: healthPage,
};
const $ = (id) => document.getElementById(id);

/** Shared between pages: the features this collector serves, and job ids seen in this session. */
const ctx = {
  features: {},
  seenJobs: new Set(),
  /** Any API call answered 401 shows the sign-in form (api.js). */
  checkSession: () => {
    api('/api/console').catch(() => {});
  },
};
let unmount = null;
let signedIn = false;

function showSignIn() {
  signedIn = false;
  if (unmount) {
    unmount();
    unmount = null;
  }
  $('page').replaceChildren();
  $('nav').hidden = true;
  $('sign-out').hidden = true;
  $('sign-in').hidden = false;
  $('token').focus();
}

async function enter(csrfToken) {
  setCsrf(csrfToken);
  signedIn = true;
  ctx.features = (await api('/api/console')).features;
  $('sign-in').hidden = true;
  $('nav').hidden = false;
  $('sign-out').hidden = false;
  for (const a of document.querySelectorAll('#nav a')) {
    const off = a.dataset.page in ctx.features && !ctx.features[a.dataset.page];
    a.classList.toggle('off', off);
    a.title = off ? 'Not configured on this collector' : '';
  }
  route();
}

/** `focus`: move focus to the new page's heading (after a navigation, not on first load). */
function route(focus = false) {
  if (!signedIn) return;
  const name = location.hash.replace(/^#\/?/, '') || 'live';
  const page = PAGES[name] ?? PAGES.live;
  const key = PAGES[name] ? name : 'live';
  for (const a of document.querySelectorAll('#nav a')) {
    if (a.dataset.page === key) a.setAttribute('aria-current', 'page');
    else a.removeAttribute('aria-current');
  }
  if (unmount) unmount();
  const root = $('page');
  root.replaceChildren();
  document.title = `${page.title} · Auditline console`;
  unmount = page.mount(root, ctx) ?? null;
  const h1 = root.querySelector('h1');
  if (focus && h1) {
    h1.tabIndex = -1;
    h1.focus();
  }
}

async function signIn(ev) {
  ev.preventDefault();
  const input = $('token');
  const err = $('sign-in-error');
  err.textContent = '';
  if (!input.value) {
    err.textContent = 'Enter a token.';
    input.focus();
    return;
  }
  try {
    const s = await api('/api/session', { method: 'POST', body: { token: input.value } });
    input.value = '';
    await enter(s.csrf_token);
    $('main').focus();
  } catch (e) {
    err.textContent = e.status === 401 ? 'That token was refused.' : `Sign-in failed: ${e.message}`;
    input.select();
  }
}

async function signOut() {
  try {
    await api('/api/session', { method: 'DELETE' });
  } catch {
    /* already gone */
  }
  setCsrf(null);
  showSignIn();
}

function initTheme() {
  const btn = $('theme-toggle');
  const dark = () =>
    document.documentElement.dataset.theme === 'dark' ||
    (!document.documentElement.dataset.theme && matchMedia('(prefers-color-scheme: dark)').matches);
  const label = () => {
    btn.setAttribute('aria-pressed', String(dark()));
    btn.textContent = 'Dark theme';
  };
  btn.addEventListener('click', () => {
    const next = dark() ? 'light' : 'dark';
    document.documentElement.dataset.theme = next;
    try {
      localStorage.setItem('auditline-theme', next);
    } catch {
      /* not persisted */
    }
    label();
  });
  label();
}

async function boot() {
  initTheme();
  whenSignedOut(showSignIn);
  $('sign-in-form').addEventListener('submit', signIn);
  $('sign-out').addEventListener('click', signOut);
  // The skip link must not change the hash: that would navigate the page router.
  document.querySelector('.skip').addEventListener('click', (e) => {
    e.preventDefault();
    $('main').focus();
  });
  addEventListener('hashchange', () => route(true));
  try {
    const s = await api('/api/session');
    await enter(s.csrf_token);
  } catch {
    showSignIn();
  }
}

boot();
