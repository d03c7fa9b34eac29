/**
 * What bench/pulse.ts measures on: a hub wired as host/hub/hub.ts wires
 * Pulse (the cartridge, its post-commit hook feeding PulseCounters, the
 * hub's chain, the figure collector and the service, restored from the log
 * at start), nodes that record as the firmware does, and a cartridge built
 * quickly by storing their batches a round at a time, beating as it goes.
 */
import { createBatch, type Batch } from '../firmware/batch/batch.js';
import type { ValueMap } from '../firmware/codec/value.js';
import { EventLog } from '../firmware/event/event-log.js';
import { identityFromSecretKey, type NodeIdentity } from '../firmware/identity/node-id.js';
import { nodeCrypto } from '../host/crypto/node-crypto.js';
import { HubLog } from '../host/hub/hub-log.js';
import { FigureCollector } from '../host/pulse/collect-figures.js';
import { PulseCounters } from '../host/pulse/pulse-counters.js';
import { PulseService } from '../host/pulse/pulse-service.js';
import { restoreCounters } from '../host/pulse/restore-counters.js';
import { Cartridge } from '../host/store/cartridge.js';

const MIN = 60_000;
/** The hub's beat while the cartridge is built (the shipped default). */
const BEAT_MS = 15 * MIN;
/** Nodes record a system.health this often. */
const HEALTH_MS = 5 * MIN;
/** Every tenth node's sensor is unplugged (and back the next event) this often, each at its own phase. */
const UNPLUG_MS = 6 * 60 * MIN;
/** Rounds of uplinks while the cartridge is built: at most one per node every two minutes, of at least 4 events when there are enough for a round every beat. */
const ROUND_MS = 2 * MIN;
const ROUND_EVENTS = 4;

/**
 * A key from a number below 65,536 (its two low bytes, then a fixed fill):
 * distinct for every node of a thousand-node cartridge, unlike a key filled
 * with one byte.
 */
export function identity(seed: number): NodeIdentity {
  if (!Number.isInteger(seed) || seed < 0 || seed > 0xffff) throw new RangeError(`seed must be a whole number from 0 to 65535, got ${seed}`);
  const secret = new Uint8Array(32).fill(0x5a);
  secret[0] = seed & 0xff;
  secret[1] = seed >> 8;
  return identityFromSecretKey(secret, nodeCrypto);
}

/** The hub's key seed: above any node's (a node's is its index + 1). */
export const HUB_SEED = 0xffff;

/**
 * A node recording on its own chain (its clock agrees with the hub's): a
 * boot, its BME280 starting, then temperature and humidity readings, a
 * system.health every 5 minutes, and on every tenth node an unplug and
 * replug every 6 hours.
 */
export class BenchNode {
  readonly identity: NodeIdentity;
  private readonly log: EventLog;
  private readonly unplugs: boolean;
  private n = 0;
  private nextHealth = 0;
  private nextUnplug: number;
  private replug = false;

  constructor(
    readonly index: number,
    start: number,
  ) {
    this.identity = identity(index + 1);
    this.log = new EventLog({ nodeId: this.identity.id, crypto: nodeCrypto, clock: () => 0 });
    this.unplugs = index % 10 === 0;
    this.nextUnplug = start + ((index * 37 * MIN) % UNPLUG_MS);
  }

  /** The next events at these times, as one signed batch. */
  batch(times: readonly number[]): Batch {
    return createBatch(
      times.map((t) => this.record(t)),
      this.identity,
      nodeCrypto,
    );
  }

  private record(time: number): ReturnType<EventLog['append']> {
    const append = (type: string, component: string, data: ValueMap) => this.log.append(type, component, data, time);
    const n = this.n++;
    if (n === 0) return append('system.boot', 'node', { firmware: '0.1.0', board: 'esp32-devkitc', sensors: 1 });
    if (n === 1) return append('sensor.state', 'bme280', { from: 'starting', to: 'running' });
    if (this.replug) {
      this.replug = false;
      return append('sensor.state', 'bme280', { from: 'reconnecting', to: 'running' });
    }
    if (this.unplugs && time >= this.nextUnplug) {
      this.nextUnplug += UNPLUG_MS;
      this.replug = true;
      return append('sensor.state', 'bme280', { from: 'running', to: 'unplugged', reason: 'no ack at 0x76' });
    }
    if (time >= this.nextHealth) {
      this.nextHealth = time + HEALTH_MS;
      const freeHeap = 120_000 - (n % 500);
      return append('system.health', 'node', {
        uptimeMs: n * 10_000,
        freeHeap,
        largestFreeBlock: freeHeap / 2,
        minFreeHeap: freeHeap - 1000,
        resetReason: 'power-on',
        rssi: -60 - (this.index % 20),
        uplinkRetries: 0,
        bufferBytes: 100,
        bufferBudgetBytes: 65536,
        firmware: '0.1.0',
      });
    }
    const value = n % 2 ? 21 + (n % 40) / 10 : 45 + (n % 100) / 10;
    return append('sensor.reading', 'bme280', { name: n % 2 ? 'temperature' : 'humidity', unit: n % 2 ? 'Cel' : '%RH', value, quality: 'good', time });
  }
}

/** Pulse on a cartridge, wired as the hub wires it; the durations of its start-up in ms. */
export interface PulseHub {
  cartridge: Cartridge;
  counters: PulseCounters;
  pulse: PulseService;
  startup: { openMs: number; restoreMs: number; replayMs: number };
  close(): void;
}

/** Opens `file` as host/hub/hub.ts does with `pulse: { everyMs: 0 }`: counters on the post-commit hook, restored from the log, stored beats judged again. */
export function openPulseHub(file: string, clock: () => number): PulseHub {
  const key = identity(HUB_SEED);
  let t = performance.now();
  const cartridge = Cartridge.open(file, { clock });
  const counters = new PulseCounters(key.id);
  cartridge.onStored((entries, receivedAt) => counters.observe(entries, receivedAt));
  const hubLog = new HubLog({ cartridge, identity: key, crypto: nodeCrypto, clock });
  const collector = new FigureCollector({ cartridge, counters, clock, streamClients: () => 0 });
  const pulse = new PulseService({
    ...{ everyMs: 0, cartridge, hubLog, clock, counters, collector, streamClients: () => 0 },
    ...{ log: () => undefined, notApplicable: ['hub.time'] },
  });
  const openMs = performance.now() - t;
  // start() restores the counters and then judges the stored beats again: the restore alone, timed on counters of its own.
  t = performance.now();
  restoreCounters(new PulseCounters(key.id), cartridge.db, collector.nodeIds());
  const restoreMs = performance.now() - t;
  t = performance.now();
  pulse.start();
  const replayMs = Math.max(0, performance.now() - t - restoreMs);
  return {
    cartridge,
    counters,
    pulse,
    startup: { openMs, restoreMs, replayMs },
    close() {
      pulse.stop();
      collector.stop();
      cartridge.close();
    },
  };
}

export interface Built {
  nodes: BenchNode[];
  /** The hub's clock at the end. */
  end: number;
  events: number;
  beats: number;
  seconds: number;
}

/**
 * Builds a cartridge of `perNode` events on each of `nodes` nodes, spread
 * over `spanMs` of the hub's clock (from `start`), the hub beating every
 * 15 minutes as it goes: rounds of one batch per node, one commit each.
 * The build is not what is measured: commits do not wait for the disk.
 */
export function buildCartridge(file: string, o: { nodes: number; perNode: number; start: number; spanMs: number }): Built {
  const t0 = performance.now();
  let now = o.start;
  const hub = openPulseHub(file, () => now);
  hub.cartridge.db.pragma('synchronous = OFF');
  const nodes = Array.from({ length: o.nodes }, (_, i) => new BenchNode(i, o.start));
  for (const n of nodes) hub.cartridge.addNode(n.identity.publicKey, { name: `node-${n.index}`, board: 'esp32-devkitc' });
  const rounds = Math.min(o.perNode, Math.max(Math.floor(o.spanMs / BEAT_MS), Math.min(Math.floor(o.spanMs / ROUND_MS), Math.floor(o.perNode / ROUND_EVENTS))));
  const roundMs = o.spanMs / rounds;
  let nextBeat = o.start + BEAT_MS;
  let beats = 0;
  for (let r = 0; r < rounds; r++) {
    const from = Math.floor((r * o.perNode) / rounds);
    const k = Math.floor(((r + 1) * o.perNode) / rounds) - from;
    const begin = now;
    const times = Array.from({ length: k }, (_, j) => Math.floor(begin + ((j + 1) * roundMs) / k));
    now = Math.floor(o.start + (r + 1) * roundMs);
    for (const res of hub.cartridge.ingestMany(nodes.map((n) => n.batch(times)))) if (res instanceof Error) throw res;
    if (now >= nextBeat) {
      hub.pulse.beat();
      beats++;
      nextBeat += BEAT_MS;
    }
  }
  hub.cartridge.db.pragma('synchronous = FULL');
  hub.close();
  return { nodes, end: now, events: o.nodes * o.perNode, beats, seconds: (performance.now() - t0) / 1000 };
}
