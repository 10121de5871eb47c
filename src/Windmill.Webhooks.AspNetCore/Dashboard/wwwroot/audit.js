// Audit logs: filters (operation, resource, user, time range) and pages; admins only, as the API decides.
import { config, workspaceApi } from './api.js';
import { add, empty, errorNotice, field, h, set, table, time } from './ui.js';

const perPage = 50;
const operations = ['jobs.run.script', 'jobs.run.flow', 'jobs.cancel', 'scripts.create', 'scripts.update', 'users.token.create', 'users.token.delete'];

// datetime-local values are the viewer's local time; the API takes RFC 3339 instants.
const toInstant = (local) => (local ? new Date(local).toISOString() : undefined);
const toLocalInput = (instant) => {
  if (!instant) return '';
  const date = new Date(instant);
  return Number.isNaN(date.getTime()) ? '' : new Date(date.getTime() - date.getTimezoneOffset() * 60_000).toISOString().slice(0, 16);
};

export async function auditPage(main, { query, navigate }) {
  const page = Math.max(1, Number(query.get('page')) || 1);
  const input = (name, props = {}) => h('input', { type: 'text', name, value: query.get(name) ?? '', autocomplete: 'off', ...props });
  const operation = input('operation', { list: 'operation-list', placeholder: 'jobs.run' });
  const resource = input('resource', { placeholder: 'u/bot/' });
  const username = input('username');
  const after = h('input', { type: 'datetime-local', name: 'after', value: toLocalInput(query.get('after')) });
  const before = h('input', { type: 'datetime-local', name: 'before', value: toLocalInput(query.get('before')) });
  const list = h('div', {});
  const pager = h('nav', { class: 'pager', 'aria-label': 'Pages' });

  const link = (pageNumber) => {
    const next = new URLSearchParams();
    for (const [key, value] of [['operation', operation.value], ['resource', resource.value], ['username', username.value],
      ['after', toInstant(after.value)], ['before', toInstant(before.value)]]) {
      if (value) next.set(key, value.trim());
    }
    if (pageNumber > 1) next.set('page', String(pageNumber));
    return next.size ? `/audit?${next}` : '/audit';
  };

  add(main,
    h('h1', {}, 'Audit logs'),
    h('form', { class: 'card filters', 'aria-label': 'Filters', onsubmit: (event) => { event.preventDefault(); navigate(link(1)); } },
      h('div', { class: 'fields grid' },
        field('Operation', operation, 'Exact name or its start, such as jobs.run'),
        field('Resource', resource, 'A path or its start, or a token prefix'),
        field('User', username),
        field('From', after),
        field('To', before)),
      h('datalist', { id: 'operation-list' }, operations.map((o) => h('option', { value: o }))),
      h('div', { class: 'actions' },
        h('button', { type: 'submit' }, 'Apply filters'),
        h('a', { class: 'button secondary', href: `${config.base}/audit` }, 'Clear'))),
    list,
    pager);

  let entries;
  try {
    entries = await workspaceApi('/audit/list', {
      query: {
        page, per_page: perPage, operation: query.get('operation'), resource: query.get('resource'),
        username: query.get('username'), after: query.get('after'), before: query.get('before'),
      },
    });
  } catch (error) {
    set(list, errorNotice(error));
    return;
  }
  const filtered = ['operation', 'resource', 'username', 'after', 'before'].some((k) => query.get(k));
  set(list, entries.length === 0
    ? empty(page > 1 ? 'No more entries.' : filtered ? 'No entry matches these filters.' : 'The audit log is empty.',
      filtered ? 'Clear the filters to see everything.' : 'Triggers, cancellations, token changes and deployments are recorded here.')
    : table('Audit log entries, newest first', ['Time', 'User', 'Operation', 'Action', 'Resource', 'Parameters'], entries.map((e) => [
      time(e.timestamp), e.username, h('code', {}, e.operation), e.action_kind, e.resource ?? '—', parameters(e.parameters),
    ])));
  set(pager, 
    page > 1 ? h('a', { href: config.base + link(page - 1), rel: 'prev' }, '← Newer') : null,
    h('span', {}, `Page ${page}`),
    entries.length === perPage ? h('a', { href: config.base + link(page + 1), rel: 'next' }, 'Older →') : null);
}

function parameters(values) {
  const entries = Object.entries(values ?? {});
  if (entries.length === 0) return h('span', { class: 'muted' }, '—');
  return h('dl', { class: 'parameters' }, entries.map(([key, value]) => [
    h('dt', {}, key),
    h('dd', {}, key === 'uuid' ? h('a', { href: `${config.base}/jobs/${value}` }, h('code', {}, value)) : h('code', {}, value)),
  ]));
}
