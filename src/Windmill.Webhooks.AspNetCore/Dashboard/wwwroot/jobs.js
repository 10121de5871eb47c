// Jobs: the newest first, refreshed automatically, with filters and pages.
import { config, pathInUrl, workspaceApi } from './api.js';
import { add, duration, empty, errorNotice, every, field, h, jobStatus, set, statusBadge, table, time } from './ui.js';

const perPage = 50;

export async function jobsPage(main, { query, navigate }) {
  const page = Math.max(1, Number(query.get('page')) || 1);
  const path = h('input', { type: 'search', name: 'path', value: query.get('path') ?? '', placeholder: 'u/bot/', autocomplete: 'off' });
  const status = h('select', { name: 'status' },
    [['', 'Any'], ['running', 'Queued or running'], ['success', 'Succeeded'], ['failure', 'Failed or canceled']]
      .map(([value, label]) => h('option', { value, selected: (query.get('status') ?? '') === value }, label)));
  const auto = h('input', { type: 'checkbox', id: 'auto-refresh', checked: true });
  const updated = h('span', { class: 'muted updated', 'aria-live': 'off' });
  const list = h('div', {});
  const pager = h('nav', { class: 'pager', 'aria-label': 'Pages' });

  const filters = (pageNumber) => {
    const next = new URLSearchParams();
    if (path.value) next.set('path', path.value);
    if (status.value) next.set('status', status.value);
    if (pageNumber > 1) next.set('page', String(pageNumber));
    return next.size ? `/jobs?${next}` : '/jobs';
  };

  let shown = null;
  async function load() {
    const jobs = await workspaceApi('/jobs/list', {
      query: {
        page, per_page: perPage, script_path_start: query.get('path'),
        running: query.get('status') === 'running' ? true : undefined,
        success: { success: true, failure: false }[query.get('status')],
      },
    });
    // Redraw only what changed, and keep the keyboard focus where it was: a refresh must not throw a keyboard user out.
    const seen = JSON.stringify(jobs.map((job) => [job.id, jobStatus(job), job.duration_ms]));
    updated.textContent = `Updated ${new Date().toLocaleTimeString()}`;
    if (seen === shown && !jobs.some((job) => job.type !== 'CompletedJob')) return;
    shown = seen;
    const focused = list.contains(document.activeElement) ? document.activeElement.getAttribute('href') : null;
    set(list, jobs.length === 0
      ? (page > 1 ? empty('No more jobs.') : empty('No jobs yet.', 'Run a script from its page, or call one of its webhooks.'))
      : table('Jobs, newest first', ['Status', 'Job', 'Path', 'Created by', 'Created', 'Duration'], jobs.map((job) => [
        statusBadge(jobStatus(job)),
        h('a', { href: `${config.base}/jobs/${job.id}`, 'aria-label': `Job ${job.id}` }, h('code', {}, job.id.slice(0, 8))),
        h('a', { href: `${config.base}/scripts/${pathInUrl(job.script_path)}` }, job.script_path),
        job.created_by,
        time(job.created_at),
        job.type === 'CompletedJob' ? duration(job.duration_ms) : job.started_at ? `${duration(Date.now() - Date.parse(job.started_at))} so far` : '—',
      ])));
    set(pager, 
      page > 1 ? h('a', { href: config.base + filters(page - 1), rel: 'prev' }, '← Newer') : null,
      h('span', {}, `Page ${page}`),
      jobs.length === perPage ? h('a', { href: config.base + filters(page + 1), rel: 'next' }, 'Older →') : null);
    if (focused) list.querySelector(`a[href="${CSS.escape(focused)}"]`)?.focus();
  }

  add(main,
    h('h1', {}, 'Jobs'),
    h('form', {
      class: 'toolbar filters',
      onsubmit: (event) => { event.preventDefault(); navigate(filters(1)); },
    },
    field('Path starts with', path),
    field('Status', status),
    h('div', { class: 'actions' }, h('button', { type: 'submit' }, 'Filter'))),
    h('div', { class: 'refresh' }, h('label', { for: 'auto-refresh' }, auto, ' Refresh automatically'), updated),
    list,
    pager);

  try {
    await load();
  } catch (error) {
    set(list, errorNotice(error));
    return undefined;
  }
  return every(2000, async () => {
    if (!auto.checked) return;
    try {
      await load();
    } catch (error) {
      set(list, errorNotice(error));
    }
  });
}
