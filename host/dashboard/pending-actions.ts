import { html } from 'htm/preact';
import { useState } from 'preact/hooks';
import { getJson, send } from './api.js';
import { useLive } from './live.js';
import { useFetch } from './use-fetch.js';

/** A proposal as GET /v1/effects/pending lists it (host/store/pending-effects.ts). */
interface Pending {
  id: string;
  node: string;
  action: { output: string; op: string; ms?: number };
  reason: string;
  requestedBy: { name: string };
  expiresAt: number;
}

/** One proposal: what, on which node, why, who asked, and the person's two answers. */
function PendingRow({ p, nodeName, now, answered }: { p: Pending; nodeName: string; now: number; answered: () => void }) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | undefined>(undefined);
  const answer = async (how: 'confirm' | 'decline') => {
    setBusy(true);
    try {
      await send('POST', `/v1/effects/${how}`, { id: p.id });
      answered();
    } catch (e) {
      setError((e as Error).message);
    } finally {
      setBusy(false);
    }
  };
  const minutes = Math.max(0, Math.ceil((p.expiresAt - now) / 60_000));
  return html`<li class="pending" data-pending=${p.id}>
    <span class="what">${p.action.output} ${p.action.op}${p.action.ms === undefined ? '' : ` ${p.action.ms} ms`} · ${nodeName}</span>
    <span class="why">“${p.reason}”</span>
    <span class="meta">asked by ${p.requestedBy.name} · expires in ${minutes} min · ${p.id}</span>
    <button type="button" class="confirm" disabled=${busy} onClick=${() => answer('confirm')}>Confirm</button>
    <button type="button" class="decline" disabled=${busy} onClick=${() => answer('decline')}>Decline</button>
    ${error && html`<p class="error">${error}</p>`}
  </li>`;
}

/**
 * "Pending actions": what agents proposed over MCP, waiting for a person
 * (README "Agents (MCP)"). Nothing shows when nothing waits; the list
 * reloads when a proposal is made or settled on the hub's chain.
 */
export function PendingActions({ names }: { names: Map<string, string> }) {
  const list = useFetch(() => getJson<{ pending: Pending[]; now: number }>('/v1/effects/pending'), 'pending');
  useLive((e) => {
    if (e.type.startsWith('effect.agent.')) list.reload();
  });
  const pending = list.data?.pending ?? [];
  if (pending.length === 0) return null;
  const now = list.data?.now ?? 0;
  return html`<section class="card pending-actions">
    <h2>Pending actions</h2>
    <p class="meta">An agent asked for these. Nothing runs until you confirm.</p>
    <ul>${pending.map((p) => html`<${PendingRow} key=${p.id} p=${p} nodeName=${names.get(p.node) ?? p.node} now=${now} answered=${list.reload} />`)}</ul>
  </section>`;
}
