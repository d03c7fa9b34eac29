import { html } from 'htm/preact';
import QRCode from 'qrcode';
import { useState } from 'preact/hooks';
import { send } from '../api.js';
import { dateTime } from '../units.js';

interface Invite {
  token: string;
  expiresAt: number;
  words: string[];
  hubKey: string;
  url: string;
  sound: string;
}

/** Create an invite and show it three ways: a QR code, the 24 words, and the Chirp sound. */
export function EnrolPage() {
  const [invite, setInvite] = useState<Invite | undefined>(undefined);
  const [qr, setQr] = useState<string | undefined>(undefined);
  const [ttl, setTtl] = useState('1h');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | undefined>(undefined);
  const create = async () => {
    setBusy(true);
    setError(undefined);
    try {
      const i = (await send<Invite>('POST', '/v1/invites', { ttl })) as Invite;
      setInvite(i);
      setQr(await QRCode.toDataURL(JSON.stringify({ url: i.url, token: i.token, hubKey: i.hubKey }), { margin: 1, width: 240 }));
    } catch (e) {
      setError((e as Error).message);
    } finally {
      setBusy(false);
    }
  };
  return html`
    <h1>Enrol a node</h1>
    <p>An invite is single use and expires. Give it to the new node as a QR code, read out its words, or play its sound near the node.</p>
    <label>valid for <select value=${ttl} onChange=${(e: Event) => setTtl((e.target as HTMLSelectElement).value)}>
      ${['15m', '1h', '1d', '7d'].map((t) => html`<option value=${t}>${t}</option>`)}
    </select></label>
    <button type="button" class="create-invite" disabled=${busy} onClick=${create}>${busy ? 'Creating…' : 'Create invite'}</button>
    ${error && html`<p class="error">${error}</p>`}
    ${
      invite &&
      html`<div class="invite card">
        <p class="meta">expires ${dateTime(invite.expiresAt)} · enrol at ${invite.url}</p>
        ${qr && html`<img class="qr" src=${qr} alt="invite as a QR code" width="240" height="240" />`}
        <ol class="words">${invite.words.map((w) => html`<li>${w}</li>`)}</ol>
        <audio class="chirp" controls preload="none" src=${invite.sound}></audio>
        <p class="token"><code>${invite.token}</code></p>
        <p class="meta">hub key ${invite.hubKey}</p>
      </div>`
    }
  `;
}
