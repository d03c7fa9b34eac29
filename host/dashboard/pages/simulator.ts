import { html } from 'htm/preact';
import { useEffect, useState } from 'preact/hooks';
import { ApiError, getJson, query, send } from '../api.js';

interface SimDevice {
  name: string;
  driver: string;
  pins: string;
  actions: string[];
}

interface SimBoard {
  name: string;
  id: string;
  board: string;
  runtime: string;
  devices: SimDevice[];
  environment: Record<string, { value: number; min: number; max: number; step: number; unit: string }>;
}

/** The node's own log, as a serial monitor: polled while shown. */
function SerialMonitor({ node }: { node: string }) {
  const [lines, setLines] = useState<string[]>([]);
  useEffect(() => {
    let after = 0;
    let live = true;
    const poll = async () => {
      try {
        const r = await getJson<{ lines: string[]; next: number }>(`/v1/sim/log${query({ node, after })}`);
        after = r.next;
        if (live && r.lines.length) setLines((l) => [...l, ...r.lines].slice(-200));
      } catch {
        // the next poll tries again
      }
    };
    void poll();
    const t = setInterval(poll, 1000);
    return () => {
      live = false;
      clearInterval(t);
    };
  }, [node]);
  return html`<pre class="serial" aria-label=${`${node} serial monitor`}>${lines.join('\n')}</pre>`;
}

function Slider({ node, name, spec }: { node: string; name: string; spec: SimBoard['environment'][string] }) {
  const [value, setValue] = useState(spec.value);
  const move = (v: number) => {
    setValue(v);
    void send('POST', '/v1/sim/environment', { node, [name]: v }).catch(() => undefined);
  };
  return html`<label class="slider">${name}
    <input type="range" name=${name} min=${spec.min} max=${spec.max} step=${spec.step} value=${value} onInput=${(e: Event) => move(Number((e.target as HTMLInputElement).value))} />
    <output>${value} ${spec.unit}</output></label>`;
}

function Board({ b }: { b: SimBoard }) {
  const [note, setNote] = useState<string | undefined>(undefined);
  const act = (device: string, action: string) =>
    send('POST', '/v1/sim/device', { node: b.name, device, action }).then(
      () => setNote(`${device}: ${action}`),
      (e: Error) => setNote(e.message),
    );
  return html`<article class="card sim-board" data-node=${b.name}>
    <h2>${b.name}</h2>
    <p class="meta">${b.board} · firmware in ${b.runtime === 'xs' ? 'XS' : 'Node'} · ${b.id}</p>
    <div class="environment">${Object.entries(b.environment).map(([k, s]) => html`<${Slider} key=${k} node=${b.name} name=${k} spec=${s} />`)}</div>
    <table class="devices"><tbody>${b.devices.map(
      (d) => html`<tr><th>${d.name}</th><td>${d.driver}</td><td>${d.pins}</td>
        <td>${d.actions.map((a) => html`<button type="button" data-action=${`${d.name}:${a}`} onClick=${() => act(d.name, a)}>${a}</button> `)}</td></tr>`,
    )}</tbody></table>
    ${note && html`<p class="meta">${note}</p>`}
    <${SerialMonitor} node=${b.name} />
  </article>`;
}

/** The simulator you can touch: only when the hub runs simulated nodes (fazt start). */
export function SimulatorPage() {
  const [boards, setBoards] = useState<SimBoard[] | undefined>(undefined);
  const [error, setError] = useState<string | undefined>(undefined);
  useEffect(() => {
    getJson<{ nodes: SimBoard[] }>('/v1/sim').then(
      (r) => setBoards(r.nodes),
      (e: unknown) =>
        setError(e instanceof ApiError && e.status === 404 ? 'This hub runs no simulated nodes (start it with npm start).' : (e as Error).message),
    );
  }, []);
  return html`<h1>Simulator</h1>
    ${error && html`<p class="meta">${error}</p>`}
    <div class="grid">${(boards ?? []).map((b) => html`<${Board} key=${b.name} b=${b} />`)}</div>`;
}
