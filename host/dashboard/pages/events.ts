import { html } from 'htm/preact';
import { useEffect, useState } from 'preact/hooks';
import { getJson, query } from '../api.js';
import { EventRow } from '../event-row.js';
import { useLive } from '../live.js';
import { type EventEntry, type NodeSummary, nodeOf } from '../types.js';
import { useFetch } from '../use-fetch.js';

const SHOWN = 300;

/** A type filter as the hub's topic patterns write it: exact, or `sensor.*` / `sensor.#` for a family. */
function typeMatches(pattern: string, type: string): boolean {
  if (!pattern) return true;
  const star = pattern.search(/[*#]/);
  return star < 0 ? type === pattern : type.startsWith(pattern.slice(0, star));
}

/** The live log: stored events newest first, then each one as it is stored; filters by node, type and time. */
export function EventsPage() {
  const [node, setNode] = useState('');
  const [type, setType] = useState('');
  const [since, setSince] = useState('');
  const [events, setEvents] = useState<EventEntry[]>([]);
  const [error, setError] = useState<string | undefined>(undefined);
  const nodes = useFetch(() => getJson<{ nodes: NodeSummary[] }>('/v1/nodes'), 'nodes');
  const sinceMs = since ? new Date(since).getTime() : undefined;
  useEffect(() => {
    getJson<{ events: EventEntry[] }>(`/v1/events${query({ node, type, since: sinceMs, order: 'desc', limit: SHOWN })}`).then(
      (r) => {
        setEvents(r.events);
        setError(undefined);
      },
      (e: Error) => setError(e.message),
    );
  }, [node, type, sinceMs]);
  useLive((e) => {
    if ((node && nodeOf(e.source) !== node) || !typeMatches(type, e.type) || (sinceMs !== undefined && e.time < sinceMs)) return;
    setEvents((list) => [e, ...list].slice(0, SHOWN));
  });
  const all = nodes.data?.nodes ?? [];
  const names = new Map(all.map((n) => [n.id, n.name ?? n.id]));
  return html`
    <h1>Events</h1>
    <form class="filters" onSubmit=${(ev: Event) => ev.preventDefault()}>
      <label>node <select name="node" value=${node} onChange=${(ev: Event) => setNode((ev.target as HTMLSelectElement).value)}>
        <option value="">all</option>
        ${all.map((n) => html`<option value=${n.id}>${n.name ?? n.id}</option>`)}
      </select></label>
      <label>type <input name="type" placeholder="sensor.*" value=${type} onChange=${(ev: Event) => setType((ev.target as HTMLInputElement).value.trim())} /></label>
      <label>since <input name="since" type="datetime-local" value=${since} onChange=${(ev: Event) => setSince((ev.target as HTMLInputElement).value)} /></label>
    </form>
    ${error && html`<p class="error">${error}</p>`}
    <table class="events"><tbody>${events.map((e) => html`<${EventRow} key=${e.id} e=${e} names=${names} />`)}</tbody></table>
  `;
}
