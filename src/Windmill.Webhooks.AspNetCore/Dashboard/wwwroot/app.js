// The dashboard's shell: who is signed in, the navigation, and which page draws the main area.
import { ApiError, config, onSignedOut, session, workspaceApi } from './api.js';
import { errorNotice, h, set } from './ui.js';
import { signInPage } from './signin.js';
import { scriptsPage } from './scripts.js';
import { scriptPage } from './script.js';
import { jobsPage } from './jobs.js';
import { jobPage } from './job.js';
import { tokensPage } from './tokens.js';
import { auditPage } from './audit.js';

const routes = [
  { pattern: /^\/scripts\/?$/, page: scriptsPage, nav: 'scripts' },
  { pattern: /^\/scripts\/(.+)$/, page: scriptPage, nav: 'scripts' },
  { pattern: /^\/jobs\/?$/, page: jobsPage, nav: 'jobs' },
  { pattern: /^\/jobs\/([0-9a-fA-F-]{36})$/, page: jobPage, nav: 'jobs' },
  { pattern: /^\/audit\/?$/, page: auditPage, nav: 'audit' },
  { pattern: /^\/tokens\/?$/, page: tokensPage, nav: 'tokens' },
];

const main = document.getElementById('main');
const top = document.getElementById('top');
let user = null;
let cleanup = null;
// Move focus to the new page's heading after a navigation, not on the first load.
let focusOnRender = false;

/** Goes to a dashboard path such as `/jobs/<id>`, keeping the browser's history. */
export function navigate(path, { replace = false } = {}) {
  const url = config.base + path;
  if (replace) history.replaceState(null, '', url);
  else history.pushState(null, '', url);
  render();
}

function currentPath() {
  const path = location.pathname.startsWith(config.base) ? location.pathname.slice(config.base.length) : '/';
  return decodeURI(path) || '/';
}

async function render() {
  cleanup?.();
  cleanup = null;
  if (!user) {
    top.hidden = true;
    set(top);
    document.title = 'Sign in · Windmill';
    set(main, signInPage({ onSignedIn: start }));
    return;
  }

  const path = currentPath();
  if (path === '/') {
    navigate('/scripts', { replace: true });
    return;
  }

  const route = routes.find((r) => r.pattern.test(path));
  drawHeader(route?.nav);
  set(main);
  if (!route) {
    document.title = 'Not found · Windmill';
    main.append(h('h1', { tabindex: '-1' }, 'Page not found'), h('p', {}, h('a', { href: `${config.base}/scripts` }, 'Go to the scripts')));
    return;
  }

  const params = path.match(route.pattern).slice(1);
  const controller = new AbortController();
  cleanup = () => controller.abort();
  try {
    const stop = await route.page(main, { params, user, navigate, signal: controller.signal, query: new URLSearchParams(location.search) });
    if (controller.signal.aborted) stop?.();
    else cleanup = () => { controller.abort(); stop?.(); };
  } catch (error) {
    if (!controller.signal.aborted) main.append(errorNotice(error));
  }
  const heading = main.querySelector('h1');
  document.title = `${heading?.textContent ?? 'Windmill'} · Windmill`;
  if (heading && focusOnRender) {
    heading.tabIndex = -1;
    heading.focus({ preventScroll: true });
  }
  focusOnRender = true;
}

function drawHeader(active) {
  const link = (name, path, label) => h('a', { href: config.base + path, 'aria-current': active === name ? 'page' : null }, label);
  top.hidden = false;
  set(top, 
    h('a', { class: 'brand', href: `${config.base}/scripts` }, h('img', { src: `${config.base}/assets/icon.svg`, alt: '', width: '24', height: '24' }), 'Windmill'),
    h('span', { class: 'workspace', title: 'Workspace' }, config.workspace),
    h('nav', { 'aria-label': 'Main' },
      link('scripts', '/scripts', 'Scripts'),
      link('jobs', '/jobs', 'Jobs'),
      user.is_admin ? link('audit', '/audit', 'Audit logs') : null,
      link('tokens', '/tokens', 'Tokens')),
    h('div', { class: 'user' },
      h('span', { class: 'username' }, user.username),
      user.is_super_admin ? h('span', { class: 'badge' }, 'superadmin') : user.is_admin ? h('span', { class: 'badge' }, 'admin') : null,
      h('button', { type: 'button', class: 'secondary', onclick: signOut }, 'Sign out')));
}

async function signOut() {
  try {
    await session.signOut();
  } finally {
    await start();
  }
}

/** Asks the server who the visitor is, then draws the page they asked for (or the sign-in page). */
async function start() {
  try {
    user = await workspaceApi('/users/whoami');
  } catch (error) {
    user = null;
    if (!(error instanceof ApiError && error.status === 401)) {
      set(main, errorNotice(error));
      return;
    }
  }
  await render();
}

onSignedOut(() => {
  if (user) {
    user = null;
    render();
  }
});

document.addEventListener('click', (event) => {
  const anchor = event.target.closest('a[href]');
  if (!anchor || event.defaultPrevented || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
  const url = new URL(anchor.href);
  if (url.origin !== location.origin || !url.pathname.startsWith(config.base) || anchor.target || anchor.hasAttribute('download')) return;
  event.preventDefault();
  history.pushState(null, '', url.pathname + url.search);
  render();
});

window.addEventListener('popstate', render);
start();
