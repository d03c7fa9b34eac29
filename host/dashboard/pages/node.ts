import { html } from 'htm/preact';
import { useEffect, useState } from 'preact/hooks';
import { getJson, query } from '../api.js';
import { EventRow } from '../event-row.js';
import { type Bucket, Plot } from '../plot.js';
import { componentOf, type EventEntry, type NodeSummary, type PulseAnswer } from '../types.js';
import { dateTime } from '../units.js';
import { useFetch } from '../use-fetch.js';
import { NodeConfigView } from './node-config.js';
import { NodePower } from './node-power.js';

const RANGES: [string, number][] = [
  ['hour', 3_600_000],
  ['day', 86_400_000],
  ['week', 7 * 86_400_000],
];

interface Reading {
  component: string;
  name: string;
  unit: string | undefined;
}

interface Series {
  buckets: Bucket[];
}

/** A reading's plot over [from, to): fetched from /v1/series whenever the range changes. */
function ReadingPlot({ node, r, from, to }: { node: string; r: Reading; from: number; to: number }) {
  const key = `${node}/${r.component}/${r.name}/${from}/${to}`;
  const s = useFetch(() => getJson<Series>(`/v1/series${query({ node, name: r.name, component: r.component, from, to, points: 400 })}`), key);
  return html`<div class="card">
    <h3>${r.component} ${r.name}</h3>
    ${s.error ? html`<p class="error">${s.error}</p>` : s.data ? html`<${Plot} buckets=${s.data.buckets} unit=${r.unit} name=${r.name} from=${from} to=${to} />` : html`<p>Loading…</p>`}
  </div>`;
}

const toLocalInput = (ms: number) => new Date(ms - new Date(ms).getTimezoneOffset() * 60_000).toISOString().slice(0, 16);

/** One node: history plots per reading (hour, day, week, custom), its events, what it reports about itself. */
export function NodePage({ id }: { id: string }) {
  const [range, setRange] = useState<string>('hour');
  const [custom, setCustom] = useState<[number, number]>([Date.now() - 3_600_000, Date.now()]);
  const [to, setTo] = useState(Date.now());
  const nodes = useFetch(() => getJson<{ nodes: NodeSummary[] }>('/v1/nodes'), 'nodes');
  const recent = useFetch(() => getJson<{ events: EventEntry[] }>(`/v1/events${query({ node: id, order: 'desc', limit: 300 })}`), id);
  const pulse = useFetch(() => getJson<PulseAnswer>('/v1/pulse'), 'pulse');
  useEffect(() => setTo(Date.now()), [range]);
  const n = nodes.data?.nodes.find((x) => x.id === id);
  const readings = new Map<string, Reading>();
  for (const e of recent.data?.events ?? []) {
    const d = e.data as { name?: unknown; unit?: unknown; value?: unknown };
    if (e.type === 'sensor.reading' && typeof d.name === 'string' && typeof d.value === 'number')
      readings.set(`${componentOf(e.source)}/${d.name}`, {
        component: componentOf(e.source),
        name: d.name,
        unit: typeof d.unit === 'string' ? d.unit : undefined,
      });
  }
  const span = RANGES.find(([r]) => r === range)?.[1];
  const [from, until] = span === undefined ? custom : [to - span, to];
  const p = pulse.data?.nodes.find((x) => x.id === id);
  const names = new Map((nodes.data?.nodes ?? []).map((x) => [x.id, x.name ?? x.id]));
  return html`
    <h1 class="node-name">${n?.name ?? id}</h1>
    <p class="meta">${id} · ${n?.board ?? ''} · enrolled ${n ? dateTime(n.enrolledAt) : '…'} · ${n?.eventCount ?? 0} events, head seq ${n?.headSeq ?? 0}</p>
    <div class="ranges" role="group" aria-label="range">
      ${[...RANGES.map(([r]) => r), 'custom'].map(
        (r) => html`<button type="button" class=${range === r ? 'active' : ''} data-range=${r} onClick=${() => setRange(r)}>${r}</button>`,
      )}
      ${
        range === 'custom' &&
        html`<label>from <input type="datetime-local" value=${toLocalInput(custom[0])} onChange=${(ev: Event) => setCustom([new Date((ev.target as HTMLInputElement).value).getTime(), custom[1]])} /></label>
        <label>to <input type="datetime-local" value=${toLocalInput(custom[1])} onChange=${(ev: Event) => setCustom([custom[0], new Date((ev.target as HTMLInputElement).value).getTime()])} /></label>`
      }
    </div>
    <div class="plots">${[...readings.values()].map((r) => html`<${ReadingPlot} key=${`${r.component}/${r.name}`} node=${id} r=${r} from=${from} to=${until} />`)}</div>
    <${NodeConfigView} id=${id} />
    ${
      p &&
      html`<h2>Health</h2>
      <${NodePower} p=${p} pulse=${pulse.data} />
      <table class="kv">
        ${Object.entries(p.facts ?? {}).map(([k, v]) => html`<tr><th>${k}</th><td>${v}</td></tr>`)}
        ${Object.entries(p.sensors).map(([c, s]) => html`<tr><th>${c}</th><td>${s.state} (${s.reason}) since ${dateTime(s.since)}</td></tr>`)}
        ${Object.entries(p.figures).map(([k, v]) => html`<tr><th>${k}</th><td>${v === null ? '—' : String(v)}</td></tr>`)}
      </table>`
    }
    <h2>Recent events</h2>
    <table class="events"><tbody>${(recent.data?.events ?? []).slice(0, 50).map((e) => html`<${EventRow} key=${e.id} e=${e} names=${names} />`)}</tbody></table>
  `;
}
