import { html } from 'htm/preact';
import { useState } from 'preact/hooks';
import { send } from '../api.js';

/** Sign in once with an owner token; the hub answers with a session cookie the page never sees. */
export function SignInPage({ done }: { done: () => void }) {
  const [token, setToken] = useState('');
  const [error, setError] = useState<string | undefined>(undefined);
  const submit = async (ev: Event) => {
    ev.preventDefault();
    try {
      await send('POST', '/v1/session', { token: token.trim() });
      done();
    } catch (e) {
      setError((e as Error).message);
    }
  };
  return html`<form class="signin card" onSubmit=${submit}>
    <h1>Sign in</h1>
    <p>Paste an owner token (<code>fazt token create</code>), or open a sign-in link printed by <code>fazt start</code>.</p>
    <input name="token" type="password" autocomplete="current-password" placeholder="token" value=${token} onInput=${(e: Event) => setToken((e.target as HTMLInputElement).value)} />
    <button type="submit">Sign in</button>
    ${error && html`<p class="error">${error}</p>`}
  </form>`;
}
