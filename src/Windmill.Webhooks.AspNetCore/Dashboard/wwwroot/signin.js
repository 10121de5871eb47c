// The only page a signed-out visitor sees.
import { ApiError, config, session } from './api.js';
import { field, h, notice, set } from './ui.js';

export function signInPage({ onSignedIn }) {
  const input = h('input', { type: 'password', name: 'token', autocomplete: 'off', spellcheck: 'false', required: true });
  const status = h('div', { class: 'form-status' });
  const button = h('button', { type: 'submit' }, 'Sign in');
  const form = h('form', {
    class: 'card signin',
    onsubmit: async (event) => {
      event.preventDefault();
      button.disabled = true;
      set(status);
      try {
        await session.signIn(input.value.trim());
        input.value = '';
        await onSignedIn();
      } catch (error) {
        const message = error instanceof ApiError && error.status === 401
          ? `That token is unknown, expired, or bound to another workspace than ${config.workspace}.`
          : error instanceof ApiError && error.status === 429
            ? `Too many failed attempts from this address. ${error.message}`
            : error.message;
        set(status, notice('error', message));
        input.focus();
      } finally {
        button.disabled = false;
      }
    },
  },
  h('h1', {}, 'Sign in to Windmill'),
  h('p', {}, 'Paste an API token. The server keeps it in an HttpOnly cookie for this browser session; no page shows it again.'),
  field('API token', input, 'The admin token the application printed at its first start, or a token created on the Tokens page.'),
  status,
  h('div', { class: 'actions' }, button));
  return h('div', { class: 'signin-page' }, form);
}
