// Scripts: every path of the workspace, with a search box.
import { config, pathInUrl, workspaceApi } from './api.js';
import { empty, field, h, set, table } from './ui.js';

export async function scriptsPage(main, { signal }) {
  main.append(h('h1', {}, 'Scripts'));
  const scripts = await workspaceApi('/scripts/list');
  if (signal.aborted) return;
  if (scripts.length === 0) {
    main.append(empty(`No scripts in workspace ${config.workspace} yet.`, 'Scripts that the application registers with AddScript(...) appear here.'));
    return;
  }

  const search = h('input', { type: 'search', placeholder: 'Path or summary', autocomplete: 'off' });
  const results = h('div', { 'aria-live': 'polite' });
  const draw = () => {
    const words = search.value.toLowerCase().split(/\s+/).filter(Boolean);
    const shown = scripts.filter((s) => words.every((w) => `${s.path} ${s.summary}`.toLowerCase().includes(w)));
    set(results, shown.length === 0
      ? empty(`No script matches “${search.value}”.`, 'Search looks in paths and summaries.')
      : table('Scripts', ['Path', 'Summary', 'Language', 'Hash'], shown.map((s) => [
        h('a', { href: `${config.base}/scripts/${pathInUrl(s.path)}` }, s.path),
        s.summary || h('span', { class: 'muted' }, 'No summary'),
        s.language,
        h('code', {}, s.hash),
      ])));
  };
  search.addEventListener('input', draw);
  main.append(h('div', { class: 'toolbar' }, field('Search scripts', search)), results);
  draw();
}
