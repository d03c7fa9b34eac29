import { html } from 'htm/preact';
import { getJson, query } from '../api.js';
import { dateTime, duration } from '../units.js';
import { useFetch } from '../use-fetch.js';

interface DeclaredSensor {
  name: string;
  driver: string;
  pin?: number;
  i2c?: { bus?: number; address: number };
  intervalMs?: number;
  options?: Record<string, unknown>;
  filters?: unknown[];
  checks?: Record<string, unknown>;
}

/** GET /v1/nodes/config (host/hub/node-config-api.ts). */
interface NodeConfigAnswer {
  node: { id: string; name: string | null; board: string | null; enrolledAt: number; publicKey?: string; retiredAt?: number | null; revokedAt?: number | null };
  boot: {
    time: number;
    seq: number;
    firmware?: string;
    board?: string;
    outputs?: { name: string; driver: string; pin: number }[];
    config?: {
      sensors?: DeclaredSensor[];
      uplink?: { batchSize?: number; maxDelayMs?: number; downlinkPollMs?: number; form?: string };
      bufferBytes?: number;
      clock?: string;
      healthMs?: number;
      power?: { mode: string; wakeEveryMs?: number; wakePin?: number };
    };
  } | null;
}

const wiring = (s: DeclaredSensor): string =>
  s.i2c ? `I2C${s.i2c.bus ? ` ${s.i2c.bus}` : ''} 0x${s.i2c.address.toString(16).padStart(2, '0')}` : s.pin !== undefined ? `GPIO ${s.pin}` : '';

/** The rest of a sensor's settings, as JSON text (rendered as text, never as markup). */
const settings = (s: DeclaredSensor): string =>
  ['options', 'filters', 'checks']
    .filter((k) => s[k as keyof DeclaredSensor] !== undefined)
    .map((k) => `${k} ${JSON.stringify(s[k as keyof DeclaredSensor])}`)
    .join('; ');

const powerText = (p: { mode: string; wakeEveryMs?: number; wakePin?: number }): string =>
  p.mode === 'deep-sleep' && p.wakeEveryMs !== undefined
    ? `deep sleep, wakes every ${duration(p.wakeEveryMs)}${p.wakePin === undefined ? '' : ` or on GPIO ${p.wakePin}`}`
    : p.mode;

/** A node's configuration: its enrolment, and what it declared at its latest boot (sensors, wiring, schedules, uplink, outputs). */
export function NodeConfigView({ id }: { id: string }) {
  const c = useFetch(() => getJson<NodeConfigAnswer>(`/v1/nodes/config${query({ node: id })}`), `config/${id}`);
  if (c.error) return html`<h2>Configuration</h2><p class="error">${c.error}</p>`;
  if (!c.data) return html`<h2>Configuration</h2><p>Loading…</p>`;
  const { node, boot } = c.data;
  const cfg = boot?.config;
  const up = cfg?.uplink;
  const rows: [string, string][] = [
    ['enrolled', dateTime(node.enrolledAt)],
    ['public key', node.publicKey ?? ''],
    ...(node.retiredAt ? ([['retired', dateTime(node.retiredAt)]] as [string, string][]) : []),
    ...(node.revokedAt ? ([['revoked', dateTime(node.revokedAt)]] as [string, string][]) : []),
  ];
  if (boot) {
    rows.push(['booted', `${dateTime(boot.time)} (seq ${boot.seq})`], ['firmware', boot.firmware ?? ''], ['board', boot.board ?? node.board ?? '']);
    if (up)
      rows.push([
        'uplink',
        `batches of ${up.batchSize} after at most ${duration(up.maxDelayMs ?? 0)}${up.downlinkPollMs !== undefined ? `, polls every ${duration(up.downlinkPollMs)}` : ''}${up.form ? `, ${up.form} form` : ''}`,
      ]);
    if (cfg?.bufferBytes !== undefined) rows.push(['offline buffer', `${cfg.bufferBytes} bytes`]);
    if (cfg?.clock) rows.push(['clock', cfg.clock]);
    if (cfg?.healthMs !== undefined) rows.push(['health every', duration(cfg.healthMs)]);
    if (cfg?.power) rows.push(['power', powerText(cfg.power)]);
  }
  return html`<section class="node-config">
    <h2>Configuration</h2>
    <table class="kv"><tbody>${rows.map(([k, v]) => html`<tr data-key=${k}><th>${k}</th><td>${v}</td></tr>`)}</tbody></table>
    ${
      cfg?.sensors?.length
        ? html`<table class="sensors"><thead><tr><th>sensor</th><th>driver</th><th>wired</th><th>every</th><th>settings</th></tr></thead>
      <tbody>${cfg.sensors.map(
        (s) =>
          html`<tr data-sensor=${s.name}><th>${s.name}</th><td>${s.driver}</td><td>${wiring(s)}</td><td>${s.intervalMs === undefined ? '' : duration(s.intervalMs)}</td><td>${settings(s)}</td></tr>`,
      )}</tbody></table>`
        : html`<p class="meta">${boot ? 'The node declared no sensors at its latest boot.' : 'The node has not booted since it enrolled: nothing declared yet.'}</p>`
    }
    ${boot?.outputs?.length ? html`<p class="meta">outputs: ${boot.outputs.map((o) => `${o.name} (${o.driver}, GPIO ${o.pin})`).join(', ')}</p>` : ''}
  </section>`;
}
