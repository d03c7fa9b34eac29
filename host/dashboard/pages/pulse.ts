import { html } from 'htm/preact';
import { getJson } from '../api.js';
import type { PulseAnswer } from '../types.js';
import { dateTime } from '../units.js';
import { useFetch } from '../use-fetch.js';

interface History {
  since: number;
  beats: { at: number; status: string }[];
  changes: { at: number; from?: string; to?: string; status?: string; text?: string }[];
}

/** Pulse: the status and its issues in plain language, and the beats over the last day. */
export function PulsePage() {
  const now = useFetch(() => getJson<PulseAnswer>('/v1/pulse'), 'now');
  const history = useFetch(() => getJson<History>('/v1/pulse/history'), 'history');
  const p = now.data;
  return html`
    <h1>Pulse</h1>
    ${now.error && html`<p class="error">${now.error}</p>`}
    ${
      p &&
      html`<p class=${`pulse ${p.status}`}><strong>${p.status}</strong> — ${p.text}</p>
      <p class="meta">${p.at ? `last beat ${dateTime(p.at)}` : 'no beat yet'}${p.next ? ` · next ${dateTime(p.next)}` : ''}</p>
      <ul class="issues">${p.issues.map((i) => html`<li class=${i.severity}>${i.text ?? i.message ?? i.check}</li>`)}</ul>`
    }
    <h2>Beats</h2>
    <div class="beats">${(history.data?.beats ?? []).map((b) => html`<span class=${`beat ${b.status}`} title=${`${dateTime(b.at)}: ${b.status}`}></span>`)}</div>
    <h2>Changes</h2>
    <ul>${(history.data?.changes ?? []).map((c) => html`<li>${dateTime(c.at)}: ${c.text ?? `${c.from ?? ''} → ${c.to ?? c.status ?? ''}`}</li>`)}</ul>
  `;
}
