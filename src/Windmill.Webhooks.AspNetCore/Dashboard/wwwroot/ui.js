// Small DOM helpers. Every text goes through textContent or attributes: no HTML strings anywhere
// (the page runs under Trusted Types with no policy, so an HTML sink would throw).

/**
 * Creates an element. `props`: attributes, except `on<event>` (listeners), `class`, and `dataset`.
 * Children: nodes, strings (as text), arrays, or null/false (skipped).
 */
export function h(tag, props = {}, ...children) {
  const element = document.createElement(tag);
  for (const [key, value] of Object.entries(props ?? {})) {
    if (value === undefined || value === null || value === false) continue;
    if (key.startsWith('on') && typeof value === 'function') element.addEventListener(key.slice(2), value);
    else if (key === 'dataset') Object.assign(element.dataset, value);
    else if (key === 'value' || key === 'checked') element[key] = value;
    else element.setAttribute(key, value === true ? '' : String(value));
  }
  append(element, children);
  return element;
}

/** Appends children as h() does: null, undefined and false are skipped (Element.append would write "null"). */
export const add = (parent, ...children) => append(parent, children);

/** Replaces a node's children, skipping null, undefined and false as add() does. */
export const set = (parent, ...children) => {
  parent.replaceChildren();
  append(parent, children);
};

function append(parent, children) {
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    if (Array.isArray(child)) append(parent, child);
    else parent.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
}

let uniqueId = 0;
/** An id for label/control pairs. */
export const id = (prefix) => `${prefix}-${++uniqueId}`;

/** A labelled form field; `control` gets the id the label points to. */
export function field(label, control, hint) {
  control.id ||= id('field');
  const hintNode = hint ? h('p', { class: 'hint', id: `${control.id}-hint` }, hint) : null;
  if (hintNode) control.setAttribute('aria-describedby', hintNode.id);
  return h('div', { class: 'field' }, h('label', { for: control.id }, label), control, hintNode);
}

/** A time in the viewer's local time zone; the exact UTC instant in its title. */
export function time(iso) {
  if (!iso) return h('span', { class: 'muted' }, '—');
  const date = new Date(iso);
  return h('time', { datetime: iso, title: date.toISOString() },
    date.toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'medium' }));
}

export function duration(ms) {
  if (ms === undefined || ms === null) return '—';
  if (ms < 1000) return `${ms} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  const minutes = Math.floor(ms / 60_000);
  return `${minutes} min ${Math.round((ms % 60_000) / 1000)} s`;
}

/** Shows a short message in the live region. */
export function toast(message) {
  const region = document.getElementById('toast');
  region.textContent = message;
  region.classList.add('shown');
  clearTimeout(toast.timer);
  toast.timer = setTimeout(() => region.classList.remove('shown'), 2500);
}

/** A button that copies `text()`; where the clipboard API is missing (plain http), it selects `target` for Ctrl+C. */
export function copyButton(text, label, target) {
  return h('button', {
    type: 'button', class: 'copy', 'aria-label': label, title: label,
    onclick: async () => {
      try {
        await navigator.clipboard.writeText(typeof text === 'function' ? text() : text);
        toast('Copied to the clipboard');
      } catch {
        if (target) window.getSelection().selectAllChildren(target);
        toast('Selected: press Ctrl+C (or ⌘C) to copy');
      }
    },
  }, 'Copy');
}

/** A block of code (a URL, a curl command, a token) with its copy button. */
export function copyable(text, label, { block = false } = {}) {
  const code = h('code', {}, text);
  const holder = block ? h('pre', { class: 'code' }, code) : h('div', { class: 'code inline' }, code);
  return h('div', { class: 'copyable' }, holder, copyButton(() => code.textContent, label, code));
}

/** A message box: kind `info`, `error`, `warning` or `success`. */
export const notice = (kind, ...content) =>
  h('div', { class: `notice ${kind}`, role: kind === 'error' ? 'alert' : null }, ...content);

/** What an API error means to a person. */
export function describeError(error) {
  if (error?.status === 403) return `You do not have access to this. The server said: ${error.message}`;
  if (error?.status === 401) return 'You are signed out.';
  if (error instanceof TypeError) return 'The server cannot be reached. Check that the application is running.';
  return error?.message || String(error);
}

export const errorNotice = (error) => notice('error', describeError(error));

export const empty = (title, hint) => h('div', { class: 'empty' }, h('p', { class: 'empty-title' }, title), hint ? h('p', {}, hint) : null);

/** A table that becomes stacked cards on a phone: each cell carries its column's name. */
export function table(caption, columns, rows) {
  return h('div', { class: 'table-wrap' },
    h('table', {},
      h('caption', { class: 'visually-hidden' }, caption),
      h('thead', {}, h('tr', {}, columns.map((column) => h('th', { scope: 'col' }, column)))),
      h('tbody', {}, rows.map((cells) => h('tr', {}, cells.map((cell, index) => h('td', { dataset: { label: columns[index] } }, cell)))))));
}

export const pretty = (value) => h('pre', { class: 'code json' }, h('code', {}, JSON.stringify(value, null, 2) ?? 'undefined'));

/** Tabs with the ARIA tab pattern: arrow keys, Home and End move between them. */
export function tabs(label, entries) {
  const list = h('div', { role: 'tablist', 'aria-label': label, class: 'tablist' });
  const panels = [];
  const buttons = entries.map(([name, content], index) => {
    const tabId = id('tab');
    const panel = h('div', { role: 'tabpanel', id: `${tabId}-panel`, 'aria-labelledby': tabId, tabindex: '0', hidden: index !== 0 }, content);
    panels.push(panel);
    return h('button', {
      type: 'button', role: 'tab', id: tabId, 'aria-controls': panel.id,
      'aria-selected': String(index === 0), tabindex: index === 0 ? '0' : '-1',
      onclick: () => select(index),
    }, name);
  });
  function select(index, focus = false) {
    buttons.forEach((button, i) => {
      button.setAttribute('aria-selected', String(i === index));
      button.tabIndex = i === index ? 0 : -1;
      panels[i].hidden = i !== index;
    });
    if (focus) buttons[index].focus();
  }
  list.addEventListener('keydown', (event) => {
    const current = buttons.indexOf(document.activeElement);
    const next = { ArrowRight: current + 1, ArrowLeft: current - 1, Home: 0, End: buttons.length - 1 }[event.key];
    if (current < 0 || next === undefined) return;
    event.preventDefault();
    select((next + buttons.length) % buttons.length, true);
  });
  list.append(...buttons);
  return h('div', { class: 'tabs' }, list, panels);
}

/** Asks for confirmation in a modal dialog; resolves true when confirmed. */
export function confirmDialog(title, message, confirmLabel) {
  return new Promise((resolve) => {
    const dialog = h('dialog', { 'aria-labelledby': 'confirm-title', class: 'dialog' },
      h('h2', { id: 'confirm-title' }, title),
      h('p', {}, message),
      h('form', { method: 'dialog', class: 'actions' },
        h('button', { value: 'cancel', class: 'secondary' }, 'Keep it'),
        h('button', { value: 'confirm', class: 'danger' }, confirmLabel)));
    dialog.addEventListener('close', () => {
      resolve(dialog.returnValue === 'confirm');
      dialog.remove();
    });
    document.body.append(dialog);
    dialog.showModal();
  });
}

/** A job's status in Windmill's terms, from its Job JSON. */
export function jobStatus(job) {
  if (job.type === 'CompletedJob') return job.canceled ? 'canceled' : job.success ? 'success' : 'failure';
  if (job.canceled) return 'canceling';
  if (job.running) return 'running';
  return job.scheduled_for && new Date(job.scheduled_for) > new Date() ? 'scheduled' : 'queued';
}

export const statusBadge = (status) => h('span', { class: `badge status-${status}` }, status);

/** Reruns `task` every `ms` while the page is visible, until `stop()` is called. */
export function every(ms, task) {
  let timer;
  let stopped = false;
  const tick = async () => {
    if (stopped) return;
    if (document.visibilityState === 'visible') {
      try { await task(); } catch { /* the task shows its own errors */ }
    }
    if (!stopped) timer = setTimeout(tick, ms);
  };
  timer = setTimeout(tick, ms);
  return () => { stopped = true; clearTimeout(timer); };
}
