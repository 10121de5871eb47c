// A script's details: its webhooks (with a webhook-specific token), a form to run it, its versions and code.
import { ApiError, api, config, pathInUrl, publicUrl, workspaceApi } from './api.js';
import { add, copyable, empty, errorNotice, every, h, notice, pretty, set, statusBadge, table, tabs, time, toast } from './ui.js';
import { exampleArgs, schemaForm } from './schema-form.js';

export async function scriptPage(main, { params: [path], user, signal }) {
  const script = await workspaceApi(`/scripts/get/p/${pathInUrl(path)}`);
  if (signal.aborted) return undefined;
  const stops = [];
  add(main,
    h('nav', { class: 'breadcrumb', 'aria-label': 'Breadcrumb' }, h('a', { href: `${config.base}/scripts` }, 'Scripts'), ' / '),
    h('h1', {}, script.path),
    h('p', { class: 'lead' }, script.summary || h('span', { class: 'muted' }, 'No summary')),
    script.description ? h('p', {}, script.description) : null,
    h('p', { class: 'meta' }, 'Current hash ', h('code', {}, script.hash), ' · ', script.language, ' · deployed ', time(script.created_at)),
    webhooksPanel(script, user),
    runPanel(script, signal, stops),
    versionsPanel(script),
    h('section', { class: 'card', 'aria-labelledby': 'code-title' },
      h('h2', { id: 'code-title' }, 'Code'),
      h('pre', { class: 'code' }, h('code', {}, script.content))));
  return () => stops.forEach((stop) => stop());
}

const shellQuote = (text) => `'${text.replaceAll("'", "'\\''")}'`;

function webhooksPanel(script, user) {
  const workspace = encodeURIComponent(config.workspace);
  const body = shellQuote(JSON.stringify(exampleArgs(script.schema)));
  let token = null;
  const live = [];
  const liveCopyable = (make, label) => {
    const node = copyable(make(), label, { block: true });
    live.push(() => { node.querySelector('code').textContent = make(); });
    return node;
  };
  const snippets = (url, what) => {
    const shown = () => token ?? '$TOKEN';
    return [
      h('h4', {}, 'Token in the header'),
      liveCopyable(() => `curl -X POST ${url} \\\n  -H "Authorization: Bearer ${shown()}" \\\n  -H 'Content-Type: application/json' \\\n  -d ${body}`,
        `Copy the curl command for ${what}, token in the header`),
      h('h4', {}, 'Token in the query'),
      liveCopyable(() => `curl -X POST "${url}?token=${shown()}" \\\n  -H 'Content-Type: application/json' \\\n  -d ${body}`,
        `Copy the curl command for ${what}, token in the query`),
    ];
  };
  const endpoint = (kind, by, url, explain) => h('div', { class: 'endpoint' },
    h('h3', {}, `${by === 'path' ? 'By path' : 'By hash'}`),
    h('p', { class: 'hint' }, explain),
    copyable(url, `Copy the ${kind} URL by ${by}`),
    snippets(url, `the ${kind} webhook by ${by}`));
  const urls = (route) => ({
    path: publicUrl(`/w/${workspace}/jobs/${route}/p/${pathInUrl(script.path)}`),
    hash: publicUrl(`/w/${workspace}/jobs/${route}/h/${script.hash}`),
  });
  const asyncUrls = urls('run');
  const syncUrls = urls('run_wait_result');
  const byPath = 'Runs the newest version deployed at this path.';
  const byHash = `Runs exactly version ${script.hash}, even after newer versions are deployed.`;

  const created = h('div', { class: 'created-token' });
  const tokensHolder = h('div', {});
  const drawTokens = () => set(tokensHolder, tokensOfScript(script));
  drawTokens();
  const createButton = h('button', {
    type: 'button',
    onclick: async () => {
      createButton.disabled = true;
      try {
        const suffix = Array.from(crypto.getRandomValues(new Uint8Array(4)), (b) => 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789'[b % 62]).join('');
        token = await api('/users/tokens/create', {
          method: 'POST',
          json: { label: `webhook-${user.username}-${suffix}`, workspace_id: config.workspace, scopes: [`jobs:run:scripts:${script.path}`] },
        });
        live.forEach((update) => update());
        drawTokens();
        set(created, notice('success',
          h('p', {}, h('strong', {}, 'Webhook-specific token created. '), 'Copy it now: it is shown only this once. It may only run ', h('code', {}, script.path), '; the snippets above use it until you leave this page.'),
          copyable(token, 'Copy the new token')));
        createButton.textContent = 'Create another webhook-specific token';
        toast('Token created');
      } catch (error) {
        set(created, errorNotice(error));
      } finally {
        createButton.disabled = false;
      }
    },
  }, 'Create a webhook-specific token');

  return h('section', { class: 'card', 'aria-labelledby': 'webhooks-title' },
    h('h2', { id: 'webhooks-title' }, 'Webhooks'),
    h('p', {}, 'Call these URLs with a token in the Authorization header or in the query. ',
      h('strong', {}, 'UUID'), ' answers at once with the new job’s id; ',
      h('strong', {}, 'Result'), ' waits for the job and answers with its result.'),
    tabs('Webhook kind', [
      ['UUID', [endpoint('async', 'path', asyncUrls.path, byPath), endpoint('async', 'hash', asyncUrls.hash, byHash)]],
      ['Result', [endpoint('sync', 'path', syncUrls.path, byPath), endpoint('sync', 'hash', syncUrls.hash, byHash)]],
    ]),
    h('div', { class: 'actions' }, createButton),
    created,
    tokensHolder);
}

function tokensOfScript(script) {
  const holder = h('div', {}, h('h3', {}, 'Tokens that can run this script'));
  workspaceApi(`/scripts/list_tokens/${pathInUrl(script.path)}`).then((tokens) => {
    holder.append(tokens.length === 0
      ? h('p', { class: 'muted' }, 'No token is limited to this script yet; unscoped tokens can run it too.')
      : table('Tokens that can run this script', ['Label', 'Prefix', 'Owner', 'Expires'], tokens.map((t) => [
        t.label ?? h('span', { class: 'muted' }, 'No label'), h('code', { class: 'nowrap' }, `${t.token_prefix}…`), t.email ?? '', t.expiration ? time(t.expiration) : 'Never',
      ])));
  }, (error) => holder.append(h('p', { class: 'muted' }, error instanceof ApiError && error.status === 403 ? 'Your token may not list them.' : error.message)));
  return holder;
}

function runPanel(script, signal, stops) {
  const form = schemaForm(script.schema);
  const result = h('div', { class: 'run-result', 'aria-live': 'polite' });
  const syncMode = h('input', { type: 'radio', name: 'mode', value: 'sync', id: 'mode-sync', checked: true });
  const asyncMode = h('input', { type: 'radio', name: 'mode', value: 'async', id: 'mode-async' });
  const button = h('button', { type: 'submit' }, 'Run');
  const path = pathInUrl(script.path);

  const showOutcome = (success, value) => set(result, 
    h('p', {}, statusBadge(success ? 'success' : 'failure'), success ? ' Result' : ' Error'), pretty(value));

  const submit = async (event) => {
    event.preventDefault();
    let args;
    try {
      args = form.read();
    } catch (error) {
      set(result, notice('error', error.message));
      return;
    }
    button.disabled = true;
    set(result, h('p', { class: 'muted' }, 'Running…'));
    try {
      if (syncMode.checked) {
        showOutcome(true, await workspaceApi(`/jobs/run_wait_result/p/${path}`, { method: 'POST', json: args }));
        return;
      }
      const id = await workspaceApi(`/jobs/run/p/${path}`, { method: 'POST', json: args });
      const jobLink = () => h('a', { href: `${config.base}/jobs/${id}` }, h('code', {}, id));
      set(result, h('p', {}, 'Job ', jobLink(), ' started; waiting for its result…'));
      await new Promise((resolve) => {
        const stop = every(500, async () => {
          const maybe = await workspaceApi(`/jobs_u/completed/get_result_maybe/${id}`);
          if (!maybe.completed || signal.aborted) return;
          stop();
          set(result, h('p', {}, 'Job ', jobLink(), ' finished.'),
            h('p', {}, statusBadge(maybe.success ? 'success' : 'failure'), maybe.success ? ' Result' : ' Error'), pretty(maybe.result));
          resolve();
        });
        stops.push(() => { stop(); resolve(); });
      });
    } catch (error) {
      if (error instanceof ApiError && error.status === 422 && typeof error.body === 'object') showOutcome(false, error.body);
      else set(result, errorNotice(error));
    } finally {
      button.disabled = false;
    }
  };

  return h('section', { class: 'card', 'aria-labelledby': 'run-title' },
    h('h2', { id: 'run-title' }, 'Run'),
    h('form', { onsubmit: submit },
      form.element,
      h('fieldset', { class: 'modes' },
        h('legend', {}, 'Mode'),
        h('label', { for: 'mode-sync' }, syncMode, ' Wait for the result (sync)'),
        h('label', { for: 'mode-async' }, asyncMode, ' Start a job and follow it (async)')),
      h('div', { class: 'actions' }, button)),
    result);
}

function versionsPanel(script) {
  const holder = h('section', { class: 'card', 'aria-labelledby': 'versions-title' }, h('h2', { id: 'versions-title' }, 'Versions'));
  (async () => {
    const history = await workspaceApi(`/scripts/history/p/${pathInUrl(script.path)}`);
    const shown = history.slice(0, 20);
    const versions = await Promise.all(shown.map((v) => workspaceApi(`/scripts/get/h/${v.script_hash}`).catch(() => ({ hash: v.script_hash }))));
    add(holder, versions.length === 0
      ? empty('No versions recorded.')
      : table('Versions, newest first', ['Hash', 'Deployed', 'By', 'State'], versions.map((v) => [
        h('code', {}, v.hash), time(v.created_at), v.created_by ?? '—',
        v.hash === script.hash ? h('span', { class: 'badge status-success' }, 'current') : h('span', { class: 'badge' }, v.archived ? 'archived' : 'not current'),
      ])),
    history.length > shown.length ? h('p', { class: 'muted' }, `And ${history.length - shown.length} older versions.`) : null);
  })().catch((error) => holder.append(errorNotice(error)));
  return holder;
}
