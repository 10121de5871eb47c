// User settings → Tokens: the caller's tokens (prefixes only), a create form whose token is shown once, and delete.
import { api, config } from './api.js';
import { confirmDialog, copyable, empty, errorNotice, field, h, notice, set, table, time, toast } from './ui.js';

const expirations = [['', 'Never'], ['3600', '1 hour'], ['86400', '1 day'], ['604800', '7 days'], ['2592000', '30 days'], ['7776000', '90 days'], ['31536000', '1 year']];
const commonScopes = ['jobs:run', 'jobs:run:scripts', 'jobs:read', 'jobs:write', 'scripts:read', 'audit:read', 'users:read', 'users:write'];

export async function tokensPage(main) {
  const list = h('div', {});
  const created = h('div', {});

  async function load() {
    const tokens = await api('/users/tokens/list', { query: { exclude_ephemeral: true } });
    set(list, tokens.length === 0
      ? empty('You have no tokens yet.', 'Create one above; it is shown once, then only its prefix.')
      : table('Your tokens', ['Label', 'Prefix', 'Scopes', 'Workspace', 'Expires', 'Last used', 'Created', 'Actions'], tokens.map((t) => [
        t.label || h('span', { class: 'muted' }, 'No label'),
        h('code', { class: 'nowrap' }, `${t.token_prefix}…`),
        t.scopes?.length ? h('ul', { class: 'scopes' }, t.scopes.map((s) => h('li', {}, h('code', {}, s)))) : h('span', { class: 'muted' }, 'All your rights'),
        t.workspace_id ?? h('span', { class: 'muted' }, 'Any'),
        t.expiration ? time(t.expiration) : 'Never',
        time(t.last_used_at),
        time(t.created_at),
        h('button', {
          type: 'button', class: 'danger small', 'aria-label': `Delete token ${t.label ?? ''} ${t.token_prefix}`.replace('  ', ' '),
          onclick: async (event) => {
            if (!await confirmDialog('Delete this token?', `Anything that uses the token ${t.token_prefix}… stops working at once.`, 'Delete token')) return;
            event.target.disabled = true;
            try {
              await api(`/users/tokens/delete/${encodeURIComponent(t.token_prefix)}`, { method: 'DELETE' });
              toast('Token deleted');
              await load();
            } catch (error) {
              list.prepend(errorNotice(error));
            }
          },
        }, 'Delete'),
      ])));
  }

  const label = h('input', { type: 'text', name: 'label', maxlength: '255', autocomplete: 'off', placeholder: 'ci, partner-x, …' });
  const expiration = h('select', { name: 'expiration' }, expirations.map(([value, text]) => h('option', { value }, text)));
  const scopes = h('input', { type: 'text', name: 'scopes', list: 'scope-list', autocomplete: 'off', placeholder: 'jobs:run:scripts:u/bot/hello_world' });
  const readOnly = h('input', { type: 'checkbox', name: 'read_only', id: 'read-only' });
  const onlyHere = h('input', { type: 'checkbox', name: 'workspace', id: 'only-workspace' });
  const submit = h('button', { type: 'submit' }, 'Create token');
  const form = h('form', {
    class: 'card',
    'aria-labelledby': 'create-title',
    onsubmit: async (event) => {
      event.preventDefault();
      submit.disabled = true;
      set(created);
      const seconds = Number(expiration.value);
      const scopeList = scopes.value.split(/[\s,]+/).filter(Boolean);
      try {
        const token = await api('/users/tokens/create', {
          method: 'POST',
          json: {
            label: label.value.trim() || null,
            expiration: seconds ? new Date(Date.now() + seconds * 1000).toISOString() : null,
            scopes: scopeList.length ? scopeList : null,
            workspace_id: onlyHere.checked ? config.workspace : null,
            read_only: readOnly.checked,
          },
        });
        form.reset();
        set(created, notice('success',
          h('p', {}, h('strong', {}, 'Token created. '), 'Copy it now: this is the only time it is shown. Store it like a password.'),
          copyable(token, 'Copy the new token'),
          h('div', { class: 'actions' }, h('button', { type: 'button', class: 'secondary', onclick: () => set(created) }, 'I have copied it'))));
        created.querySelector('button.copy').focus();
        await load();
      } catch (error) {
        set(created, errorNotice(error));
      } finally {
        submit.disabled = false;
      }
    },
  },
  h('h2', { id: 'create-title' }, 'Create a token'),
  h('div', { class: 'fields grid' },
    field('Label', label, 'A name to recognise it by.'),
    field('Expiration', expiration),
    field('Scopes', scopes, 'Separated by spaces or commas; empty means all your rights.')),
  h('datalist', { id: 'scope-list' }, commonScopes.map((s) => h('option', { value: s }))),
  h('div', { class: 'checks' },
    h('label', { for: 'read-only' }, readOnly, ' Read only (never runs or changes anything)'),
    h('label', { for: 'only-workspace' }, onlyHere, ` Only in workspace ${config.workspace}`)),
  h('div', { class: 'actions' }, submit));

  main.append(h('p', { class: 'eyebrow' }, 'User settings'), h('h1', {}, 'Tokens'), form, created, h('h2', {}, 'Your tokens'), list);
  try {
    await load();
  } catch (error) {
    set(list, errorNotice(error));
  }
}
