import { html } from 'htm/preact';
import { useEffect, useState } from 'preact/hooks';
import { getJson } from '../api.js';
import { useLive } from '../live.js';
import { addReading, type ReadingTrack } from '../readings.js';
import { Sparkline } from '../sparkline.js';
import { type BleDeviceSummary, type EventEntry, type NodeSummary, nodeOf, type PulseAnswer, type PulseNode } from '../types.js';
import { ago, duration, formatReading } from '../units.js';
import { useNow } from '../use-fetch.js';
import { PendingActions } from '../pending-actions.js';

function chainText(n: NodeSummary, p: PulseNode | undefined): string {
  const gaps = p?.figures.gaps ?? 0;
  if (n.forkedAt) return `forked at seq ${n.forkedAt}`;
  if (n.dropped > 0) return `${n.dropped} dropped`;
  return gaps ? `${gaps} gap${gaps === 1 ? '' : 's'}` : 'contiguous';
}

function NodeCard({ n, p, tracks, now }: { n: NodeSummary; p: PulseNode | undefined; tracks: ReadingTrack[]; now: number }) {
  // Pulse's expected interval: a sleeping node's declared wake period, else its usual gap between batches.
  const expected = p?.figures.expectedMs ?? null;
  const sleeping = p?.facts?.power === 'deep-sleep';
  const silent = n.lastEventTime === null ? Infinity : now - n.lastEventTime;
  const online = expected !== null ? silent < Math.max(3 * expected, 10_000) : silent < 60_000;
  const state = sleeping ? (online ? 'asleep' : 'silent') : online ? 'online' : 'offline';
  const figures = p
    ? Object.entries(p.figures).filter(([k, v]) => v !== null && ['freeHeap', 'rssi', 'reboots', 'bufferFill', 'uplinkRetries', 'batteryCharge'].includes(k))
    : [];
  return html`
    <article class="card node" data-node=${n.id}>
      <h2><a href=${`#/node/${n.id}`} class="node-name">${n.name ?? n.id}</a></h2>
      <p class="meta">
        <span class=${online ? 'dot ok' : 'dot bad'}></span><span class="presence">${state}</span> · last seen ${ago(n.lastEventTime, now)}
        ${expected !== null ? ` · ${sleeping ? 'wakes every' : 'every'} ~${duration(expected)}` : ''}
      </p>
      <p class="meta">${n.board ?? 'unknown board'} · ${n.eventCount} events · chain ${chainText(n, p)}${p ? ` · ${p.status}` : ''}</p>
      <ul class="readings">
        ${tracks.map(
          (t) => html`<li data-reading=${`${t.component}/${t.name}`} data-time=${t.time}>
            <span class="label">${t.component} ${t.name}</span>
            <span class="value">${formatReading(t.value, t.unit)}</span>
            <${Sparkline} values=${t.history} />
          </li>`,
        )}
      </ul>
      ${
        p &&
        html`<p class="sensors">${Object.entries(p.sensors).map(([c, s]) => html`<span class=${`state ${s.state}`} title=${s.reason}>${c}: ${s.state}</span> `)}</p>`
      }
      ${figures.length > 0 && html`<p class="figures">${figures.map(([k, v]) => html`<span>${k} ${k === 'bufferFill' || k === 'batteryCharge' ? `${((v as number) * 100).toFixed(1)} %` : v}</span> `)}</p>`}
    </article>`;
}

function BleCard({ d, tracks, now }: { d: BleDeviceSummary; tracks: ReadingTrack[]; now: number }) {
  const present = d.state === 'running';
  return html`
    <article class="card ble" data-ble=${d.mac}>
      <h2 class="node-name">${d.name ?? d.mac}</h2>
      <p class="meta">
        <span class=${present ? 'dot ok' : 'dot bad'}></span><span class="presence">${present ? 'present' : d.state === null ? 'not heard yet' : 'absent'}</span> · last
        heard ${ago(d.lastHeard, now)}
      </p>
      <p class="meta">BTHome ${d.mac} · via the hub</p>
      <ul class="readings">
        ${tracks.map(
          (t) => html`<li data-reading=${`${t.component}/${t.name}`} data-time=${t.time}>
            <span class="label">${t.name}</span>
            <span class="value">${formatReading(t.value, t.unit)}</span>
            <${Sparkline} values=${t.history} />
          </li>`,
        )}
      </ul>
    </article>`;
}

/** Every node and the hub's BLE devices: status, live values with sparklines, sensors, health and chain. */
export function OverviewPage() {
  const [nodes, setNodes] = useState<NodeSummary[]>([]);
  const [ble, setBle] = useState<BleDeviceSummary[]>([]);
  const [pulse, setPulse] = useState<PulseAnswer | undefined>(undefined);
  const [tracks, setTracks] = useState(new Map<string, ReadingTrack>());
  const [error, setError] = useState<string | undefined>(undefined);
  const now = useNow();
  useEffect(() => {
    getJson<{ nodes: NodeSummary[]; bleDevices?: BleDeviceSummary[] }>('/v1/nodes').then(
      (r) => {
        setNodes(r.nodes);
        setBle(r.bleDevices ?? []);
      },
      (e: Error) => setError(e.message),
    );
    getJson<PulseAnswer>('/v1/pulse').then(setPulse, () => undefined); // a hub without Pulse: no health figures
    getJson<{ events: EventEntry[] }>('/v1/events?type=sensor.reading&order=desc&limit=1000').then(
      (r) => {
        const m = new Map<string, ReadingTrack>();
        for (const e of r.events.reverse()) addReading(m, e);
        setTracks(m);
      },
      () => undefined,
    );
  }, []);
  useLive((e) => {
    if (addReading(tracks, e)) setTracks(new Map(tracks));
    setNodes((ns) =>
      ns.map((n) => (n.id === nodeOf(e.source) ? { ...n, lastEventTime: Math.max(n.lastEventTime ?? 0, e.time), eventCount: n.eventCount + 1 } : n)),
    );
    // A BLE device's presence is its sensor's lifecycle on the hub's chain; its last heard, its newest reading.
    setBle((ds) =>
      ds.map((d) => {
        if (e.source !== `${d.hub}/${d.component}`) return d;
        if (e.type === 'sensor.state') return { ...d, state: String(e.data.to), stateSince: e.time };
        return e.type === 'sensor.reading' ? { ...d, lastHeard: Math.max(d.lastHeard ?? 0, e.time) } : d;
      }),
    );
    if (e.type === 'pulse.beat' || e.type === 'node.registered') getJson<PulseAnswer>('/v1/pulse').then(setPulse, () => undefined);
  });
  if (error) return html`<p class="error">${error}</p>`;
  const byNode = (id: string) => [...tracks.values()].filter((t) => t.node === id);
  return html`
    <h1>Overview</h1>
    <${PendingActions} names=${new Map(nodes.map((n) => [n.id, n.name ?? n.id]))} />
    ${pulse && html`<p class=${`pulse ${pulse.status}`}>${pulse.text}</p>`}
    <div class="grid">${nodes.map((n) => html`<${NodeCard} key=${n.id} n=${n} p=${pulse?.nodes.find((p) => p.id === n.id)} tracks=${byNode(n.id)} now=${now} />`)}</div>
    ${nodes.length === 0 && html`<p>No nodes yet: <a href="#/enrol">enrol one</a>.</p>`}
    ${
      ble.length > 0 &&
      html`<h2>BLE devices of the hub</h2>
        <div class="grid">
          ${ble.map((d) => html`<${BleCard} key=${d.mac} d=${d} tracks=${[...tracks.values()].filter((t) => t.node === d.hub && t.component === d.component)} now=${now} />`)}
        </div>`
    }
  `;
}
