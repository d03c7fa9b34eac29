import { html } from 'htm/preact';
import { useState } from 'preact/hooks';
import { getJson, query, send } from '../api.js';
import { dateTime } from '../units.js';
import { useFetch } from '../use-fetch.js';

interface Rule {
  id: string;
  name?: string;
  enabled: boolean;
  version: string;
  firings: number;
  lastFiredAt: number | null;
  stopped: unknown;
}

interface Effect {
  id: string;
  node: string;
  seq: number;
  action: Record<string, unknown>;
  createdAt: number;
  notAfter: number;
  cause: string | null;
  state: string;
  result: string | null;
}

/** "Why (not)?" for one rule now: /v1/rules/explain's answer as the hub gives it. */
function Explain({ id }: { id: string }) {
  const why = useFetch(() => getJson<Record<string, unknown>>(`/v1/rules/explain${query({ id })}`), id);
  if (why.error) return html`<p class="error">${why.error}</p>`;
  if (!why.data) return html`<p>Asking…</p>`;
  const text = typeof why.data.text === 'string' ? why.data.text : typeof why.data.summary === 'string' ? why.data.summary : undefined;
  return html`<div class="explain">${text && html`<p>${text}</p>`}<pre>${JSON.stringify(why.data, null, 2)}</pre></div>`;
}

/** One rule: enable/disable, firings, why (not), a backtest over the last day. */
function RuleRow({ r, changed }: { r: Rule; changed: () => void }) {
  const [open, setOpen] = useState(false);
  const [busy, setBusy] = useState(false);
  const [backtest, setBacktest] = useState<string | undefined>(undefined);
  const toggle = async () => {
    setBusy(true);
    try {
      await send('POST', `/v1/rules/${r.enabled ? 'disable' : 'enable'}`, { id: r.id });
    } finally {
      setBusy(false);
      changed();
    }
  };
  const runBacktest = async () => {
    const doc = await getJson<{ document: unknown }>(`/v1/rules${query({ id: r.id })}`);
    const result = await send<{ firings?: unknown[] }>('POST', '/v1/rules/test', { rule: doc.document, since: Date.now() - 86_400_000 });
    setBacktest(`${result?.firings?.length ?? 0} firings in the last 24 h`);
  };
  return html`<li class="card rule" data-rule=${r.id}>
    <h3>${r.name ?? r.id}</h3>
    <p class="meta">${r.id} · ${r.enabled ? 'enabled' : 'disabled'} · ${r.firings} firings${r.lastFiredAt ? `, last ${dateTime(r.lastFiredAt)}` : ''}</p>
    <button type="button" class="toggle" disabled=${busy} onClick=${toggle}>${r.enabled ? 'Disable' : 'Enable'}</button>
    <button type="button" onClick=${() => setOpen(!open)}>${open ? 'Hide why' : 'Why (not)?'}</button>
    <button type="button" onClick=${runBacktest}>Backtest 24 h</button>
    ${backtest && html`<p class="backtest">${backtest}</p>`}
    ${open && html`<${Explain} id=${r.id} />`}
  </li>`;
}

/** Rules with their switches and answers; effects with their delivery state and cause. */
export function RulesPage() {
  const rules = useFetch(() => getJson<{ rules: Rule[] }>('/v1/rules'), 'rules');
  const effects = useFetch(() => getJson<{ effects: Effect[] }>('/v1/effects?limit=50'), 'effects');
  return html`
    <h1>Rules</h1>
    ${rules.error && html`<p class="error">${rules.error}</p>`}
    <ul class="rules">${(rules.data?.rules ?? []).map((r) => html`<${RuleRow} key=${r.id} r=${r} changed=${rules.reload} />`)}</ul>
    <h2>Effects</h2>
    ${effects.error && html`<p class="error">${effects.error}</p>`}
    <table class="effects">
      <thead><tr><th>created</th><th>node</th><th>action</th><th>state</th><th>cause</th></tr></thead>
      <tbody>${(effects.data?.effects ?? []).map(
        (e) => html`<tr data-state=${e.state}><td>${dateTime(e.createdAt)}</td><td><a href=${`#/node/${e.node}`}>${e.node}</a></td>
          <td>${JSON.stringify(e.action)}</td><td>${e.state}</td><td>${e.cause ?? ''}</td></tr>`,
      )}</tbody>
    </table>
  `;
}
