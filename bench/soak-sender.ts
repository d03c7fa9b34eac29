/**
 * The nodes of bench/soak, in a child process so their client work does not
 * run in the hub's: each node its own Ed25519 key, event log and compact
 * batch encoder (the firmware's own code, as the Node runtime's uplink uses
 * it), signing each batch when it is due, and its own keep-alive connection
 * from its own 127.x.y.z address. A node sends one batch at a time: what
 * comes due while one is in flight goes in the next. Due: at once (a batch a
 * reading), or with `uplink` as firmware/uplink/uplink.ts decides (batchSize
 * entries waiting, or the oldest waited maxDelayMs; an event such as motion
 * at once, as firmware/node/sensor-runners.ts sends it). Reports the
 * acknowledgement latencies when asked to stop.
 */
import { request, Agent } from 'node:http';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { createBatch } from '../firmware/batch/batch.js';
import { CompactBatchEncoder } from '../firmware/batch/batch-encoder.js';
import type { EventEntry } from '../firmware/event/envelope.js';
import { EventLog } from '../firmware/event/event-log.js';
import { identityFromSecretKey } from '../firmware/identity/node-id.js';
import { nodeCrypto } from '../host/crypto/node-crypto.js';
import { prng } from './rule-fixtures.js';
import type { SoakNode } from './soak-nodes.js';

interface Setup {
  url: string;
  nodes: SoakNode[];
  /** The firmware's batching; absent: every reading its own batch. */
  uplink?: { batchSize: number; maxDelayMs: number };
  /** Acks of batches sent this long after the start are also counted apart (`steady`): the start's storm left out. */
  warmupMs: number;
  /** Every node's first reading within one reading interval (a fleet switched on at once), not spread over its batching period. */
  aligned: boolean;
}

const rnd = prng(19);
/** From handing a signed batch to the connection to its ack's last byte (the batch's signing and encoding not counted). */
const latencies: number[] = [];
/** The same for the requests that opened a new connection (its TCP handshake counted), and their handshakes alone. */
const freshLatencies: number[] = [];
const steadyLatencies: number[] = [];
let warmupMs = 0;
const connects: number[] = [];
/**
 * A node's first batch, in phases (ms): due → signed and encoded (`sign`), → handed to the kernel (`written`: its
 * connection made first), → the ack's last byte read (`acked`); `at`: when it was written, from the start; `address`
 * the node's; `writtenAt` and `ackedAt` in epoch ms (to be joined with the hub's own times for the same address).
 */
const firsts: { sign: number; written: number; acked: number; at: number; address: string; writtenAt: number; ackedAt: number }[] = [];
/** Acks slower than a second, by when they were sent (10-s buckets from the start). */
const slowAt = new Map<number, number>();
/** The senders' own event-loop delay: what they add to the latencies above while the hub's answer waits to be read. */
const loop = monitorEventLoopDelay({ resolution: 10 });
let acked = 0;
/** Refusals by status and error code. */
const refused = new Map<string, number>();
let failed = 0;
let cpu0 = process.cpuUsage();
let t0 = performance.now();
let stopping = false;
const inFlight = new Set<Promise<void>>();
const timers = new Set<NodeJS.Timeout>();

/** POSTs one batch: the status and, for a refusal, the error code the hub names. */
function post(url: URL, agent: Agent, body: Uint8Array): Promise<{ status: number; code?: string; fresh: boolean; written: number }> {
  return new Promise((resolve, reject) => {
    let fresh = false;
    let written = Number.NaN;
    const req = request(url, { method: 'POST', agent, headers: { 'content-type': 'application/cbor', 'content-length': body.length } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const status = res.statusCode ?? 0;
        if (status === 200) return resolve({ status, fresh, written });
        let code = 'unreadable';
        try {
          code = (JSON.parse(Buffer.concat(chunks).toString('utf8')) as { error?: { code?: string } }).error?.code ?? code;
        } catch {}
        resolve({ status, code, fresh, written });
      });
      res.on('error', reject);
    });
    req.on('socket', (socket) => {
      if (!socket.connecting) return;
      fresh = true;
      const t = performance.now();
      socket.once('connect', () => connects.push(performance.now() - t));
    });
    req.on('finish', () => (written = performance.now()));
    req.on('error', reject);
    req.end(body);
  });
}

function startNode(url: URL, n: SoakNode, uplink: Setup['uplink'], aligned: boolean): void {
  const id = identityFromSecretKey(Uint8Array.from(n.secretKey), nodeCrypto);
  const log = new EventLog({ nodeId: id.id, crypto: nodeCrypto, clock: () => Date.now() });
  const encoder = new CompactBatchEncoder(nodeCrypto);
  const agent = new Agent({ keepAlive: true, maxSockets: 1, localAddress: n.address });
  let pending: EventEntry[] = [];
  let sending = false;
  /** No batch of this node acked yet. */
  let first = true;
  let burst = 0;
  /** An event (motion) waits: it goes at once. */
  let urgent = false;
  let wake: NodeJS.Timeout | undefined;
  const due = (): boolean => {
    if (!uplink || urgent || pending.length >= uplink.batchSize) return true;
    const at = pending[0].time + uplink.maxDelayMs; // the oldest entry's time, as the firmware's uplink reads it
    if (Date.now() >= at) return true;
    if (!wake && !stopping) {
      wake = setTimeout(() => {
        timers.delete(wake as NodeJS.Timeout);
        wake = undefined;
        track(send());
      }, at - Date.now());
      timers.add(wake);
    }
    return false;
  };
  const send = async (): Promise<void> => {
    if (sending || pending.length === 0 || !due()) return;
    sending = true;
    urgent = false;
    const entries = pending.slice(0, uplink?.batchSize); // what comes due while this is in flight stays in `pending`
    try {
      const dueAt = performance.now();
      const body = encoder.encode(createBatch(entries, id, nodeCrypto));
      const started = performance.now();
      const { status, code, fresh, written } = await post(url, agent, body);
      if (status === 200) {
        const end = performance.now();
        const ms = end - started;
        if (first)
          firsts.push({
            sign: started - dueAt,
            written: written - started,
            acked: end - written,
            at: written - t0,
            address: n.address,
            writtenAt: performance.timeOrigin + written,
            ackedAt: performance.timeOrigin + end,
          });
        first = false;
        latencies.push(ms);
        if (fresh) freshLatencies.push(ms);
        if (started - t0 >= warmupMs) steadyLatencies.push(ms);
        if (ms > 1000) {
          const bucket = Math.floor((started - t0) / 10_000) * 10;
          slowAt.set(bucket, (slowAt.get(bucket) ?? 0) + 1);
        }
        acked += entries.length;
        encoder.accepted();
        pending = pending.slice(entries.length);
      } else {
        const key = `${status} ${code}`;
        refused.set(key, (refused.get(key) ?? 0) + 1);
        encoder.refused(code ?? ''); // an unknown dictionary goes whole next time, as the node's uplink does
      }
    } catch {
      failed++; // a keep-alive connection the hub closed as this request went out: sent again with the next readings
    }
    sending = false;
    if (pending.length > 0 && !stopping) track(send());
  };
  const reading = (name: string, unit: string, value: number) =>
    pending.push(log.append('sensor.reading', 'bme280', { name, unit, value, quality: 'good', time: Date.now() }));
  const tick = (): void => {
    if (stopping) return;
    let next = n.intervalMs;
    if (n.kind === 'pir') {
      // Idle most of the time; now and then a burst of motion, one event a second, ending in `false`.
      if (burst === 0 && rnd() < 0.05) burst = 5;
      if (burst > 0) {
        burst--;
        pending.push(log.append('sensor.reading', 'pir', { name: 'motion', value: burst > 0, quality: 'good', time: Date.now() }));
        urgent = true;
        next = 1000;
      }
    } else {
      reading('temperature', 'Cel', 20 + rnd() * 5);
      if (n.kind === 'env') reading('humidity', '%RH', 40 + rnd() * 20);
    }
    track(send());
    schedule(next);
  };
  const schedule = (ms: number) => {
    const t = setTimeout(() => {
      timers.delete(t);
      tick();
    }, ms);
    timers.add(t);
  };
  // Nodes switched on at different times: the first readings spread over one interval, or over the batching
  // period when that is longer (a batch goes maxDelayMs after its first reading, so spreading over one 1-s
  // interval sent the whole fleet's batches within the same second of every 5). --aligned: the fleet at once.
  schedule(Math.floor(rnd() * (aligned ? n.intervalMs : Math.max(n.intervalMs, uplink?.maxDelayMs ?? 0))));
}

function track(p: Promise<void>): void {
  inFlight.add(p);
  void p.finally(() => inFlight.delete(p));
}

process.on('message', async (msg: { setup?: Setup; stop?: true }) => {
  if (msg.setup) {
    const url = new URL('/v1/uplink', msg.setup.url);
    cpu0 = process.cpuUsage();
    t0 = performance.now();
    warmupMs = msg.setup.warmupMs;
    loop.enable();
    for (const n of msg.setup.nodes) startNode(url, n, msg.setup.uplink, msg.setup.aligned);
    process.send?.({ started: msg.setup.nodes.length });
    return;
  }
  if (msg.stop) {
    stopping = true;
    for (const t of timers) clearTimeout(t);
    while (inFlight.size > 0) await Promise.all([...inFlight]);
    const cpu = process.cpuUsage(cpu0);
    process.send?.({
      latencies,
      freshLatencies,
      steadyLatencies,
      connects,
      firsts,
      slowAt: [...slowAt].map(([s, n]) => `${n} at ${s} s`).join(', ') || 'none',
      acked,
      refused: [...refused].map(([k, n]) => `${n} × ${k}`).join(', ') || 'none',
      failed,
      cpuShare: (cpu.user + cpu.system) / 1000 / (performance.now() - t0),
      loopDelayMs: { p50: loop.percentile(50) / 1e6, p99: loop.percentile(99) / 1e6, max: loop.max / 1e6 },
    });
  }
});
