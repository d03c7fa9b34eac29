import { html } from 'htm/preact';
import { getJson } from '../api.js';
import { dateTime } from '../units.js';
import { useFetch } from '../use-fetch.js';

interface Peer {
  id: string;
  name?: string;
  kind?: string;
  address?: string;
  url?: string;
  lastSeen?: number;
}

/** Beacon peers (live and cached) and the Timekeeper's status. */
export function NetworkPage() {
  const beacon = useFetch(() => getJson<{ enabled: boolean; peers?: Peer[]; cached: Peer[] }>('/v1/beacon'), 'beacon');
  const time = useFetch(() => getJson<Record<string, unknown>>('/v1/time/status'), 'time');
  const peers = beacon.data?.peers ?? beacon.data?.cached ?? [];
  return html`
    <h1>Beacon peers</h1>
    ${beacon.error && html`<p class="error">${beacon.error}</p>`}
    <p class="meta">${beacon.data ? (beacon.data.enabled ? 'the beacon announces this hub on the LAN' : 'the beacon is off (showing cached peers)') : ''}</p>
    <table><thead><tr><th>name</th><th>kind</th><th>address</th><th>last seen</th></tr></thead>
      <tbody>${peers.map((p) => html`<tr><td>${p.name ?? p.id}</td><td>${p.kind ?? ''}</td><td>${p.url ?? p.address ?? ''}</td><td>${p.lastSeen ? dateTime(p.lastSeen) : ''}</td></tr>`)}</tbody>
    </table>
    <h1>Time</h1>
    ${time.error && html`<p class="error">${time.error}</p>`}
    <table class="kv">${Object.entries(time.data ?? {}).map(([k, v]) => html`<tr><th>${k}</th><td>${typeof v === 'object' ? JSON.stringify(v) : String(v)}</td></tr>`)}</table>
  `;
}
