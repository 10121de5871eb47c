// One job: status, timing, args, result or error, logs; a running job can be canceled.
import { config, pathInUrl, workspaceApi } from './api.js';
import { add, confirmDialog, duration, errorNotice, every, h, jobStatus, notice, pretty, set, statusBadge, time, toast } from './ui.js';

export async function jobPage(main, { params: [id] }) {
  const body = h('div', {});
  add(main,
    h('nav', { class: 'breadcrumb', 'aria-label': 'Breadcrumb' }, h('a', { href: `${config.base}/jobs` }, 'Jobs'), ' / '),
    h('h1', {}, 'Job ', h('code', {}, id)),
    body);
  let job = await workspaceApi(`/jobs_u/get/${id}`);
  draw();
  if (job.type === 'CompletedJob') return undefined;
  const stop = every(1000, async () => {
    job = await workspaceApi(`/jobs_u/get/${id}`);
    draw();
    if (job.type === 'CompletedJob') stop();
  });
  return stop;

  function draw() {
    const status = jobStatus(job);
    const completed = job.type === 'CompletedJob';
    const cancel = h('button', {
      type: 'button', class: 'danger',
      onclick: async () => {
        if (!await confirmDialog('Cancel this job?', `Job ${id} of ${job.script_path} stops; its result becomes a cancellation error.`, 'Cancel job')) return;
        cancel.disabled = true;
        try {
          await workspaceApi(`/jobs_u/queue/cancel/${id}`, { method: 'POST', json: { reason: 'canceled from the dashboard' } });
          toast('Cancel requested');
          job = await workspaceApi(`/jobs_u/get/${id}`);
          draw();
        } catch (error) {
          body.prepend(errorNotice(error));
          cancel.disabled = false;
        }
      },
    }, 'Cancel job');
    const outcome = completed
      ? h('section', { class: 'card', 'aria-labelledby': 'outcome-title' },
        h('h2', { id: 'outcome-title' }, job.success ? 'Result' : 'Error'), pretty(job.result))
      : h('section', { class: 'card', 'aria-labelledby': 'outcome-title' },
        h('h2', { id: 'outcome-title' }, 'Result'), h('p', { class: 'muted' }, status === 'running' ? 'Running… this page updates by itself.' : 'Waiting to run… this page updates by itself.'));
    const row = (term, value) => [h('dt', {}, term), h('dd', {}, value)];
    set(body, 
      h('div', { class: 'job-status' }, statusBadge(status), completed || job.canceled ? null : cancel),
      job.canceled && job.canceled_by ? notice('warning', `Canceled by ${job.canceled_by}${job.canceled_reason ? `: ${job.canceled_reason}` : ''}.`) : null,
      h('section', { class: 'card', 'aria-labelledby': 'details-title' },
        h('h2', { id: 'details-title' }, 'Details'),
        h('dl', { class: 'details' },
          row('Script', h('a', { href: `${config.base}/scripts/${pathInUrl(job.script_path)}` }, job.script_path)),
          row('Hash', h('code', {}, job.script_hash)),
          row('Created by', job.created_by),
          row('Runs as', job.permissioned_as),
          row('Trigger', job.trigger_kind ?? '—'),
          row('Created', time(job.created_at)),
          job.scheduled_for ? row('Scheduled for', time(job.scheduled_for)) : null,
          row('Started', time(job.started_at)),
          row('Completed', time(job.completed_at)),
          row('Duration', completed ? duration(job.duration_ms) : '—'))),
      outcome,
      h('section', { class: 'card', 'aria-labelledby': 'args-title' }, h('h2', { id: 'args-title' }, 'Args'), pretty(job.args ?? {})),
      h('section', { class: 'card', 'aria-labelledby': 'logs-title' }, h('h2', { id: 'logs-title' }, 'Logs'),
        job.logs ? h('pre', { class: 'code logs' }, h('code', {}, job.logs)) : h('p', { class: 'muted' }, 'No logs.')));
  }
}
