import { isValueMap, type ValueMap } from '../../firmware/codec/value.js';
import { sourceNode, type EventEntry } from '../../firmware/event/envelope.js';
import { Cadence } from '../percept/cadence.js';
import { declaredWakeMs } from '../store/declared-power.js';

/** Refusals that say the node's chain does not continue the stored one: a fork, or a restart from seq 1 (a retried batch is a 'replay', not this). */
const CHAIN_REFUSALS = new Set(['chain-broken', 'tampered']);
/** Answers that say the hub could not store what it was given. */
const STORE_FAILURES = new Set(['store-full', 'internal']);
/** A refusal that comes after the batch verified (the insert failed): the node was heard, the hub could not keep it. */
const HEARD_UNSTORED = 'store-full';
/** A batch whose newest entry is this much older than the node's best delay is late (an outage's backlog). */
const LATE_BATCH_MS = 5 * 60_000;
/** Batches the clock offset is estimated over. */
const OFFSET_BATCHES = 8;
/** Sensor changes kept for the paragraph. */
const RECENT_MS = 24 * 3_600_000;

interface SensorState {
  state: string;
  since: number;
  reason?: string;
}

/** A sensor's change of state, for the paragraph ("unplugged at 14:02, back at 14:05"); `node` is its id. */
export interface RecentChange {
  node: string;
  sensor: string;
  from: string;
  to: string;
  at: number;
}

/** What the hub keeps of one node as its data arrives. */
export interface NodeTally {
  /** When the hub last heard a verified batch from it, stored or not (a full store is not a silent node). */
  lastHeard?: number;
  /** When its last stored batch arrived: the cadence is measured between these. */
  lastStored?: number;
  /** The id of its newest stored event (what a change of its status cites). */
  lastId?: string;
  cadence: Cadence;
  /** The wake period its latest system.boot declares (deep sleep); undefined for an always-on node. */
  wakeMs?: number;
  /** Counters since the hub started (the judge's `increase` reads them over its windows). */
  boots: number;
  gaps: number;
  dropped: number;
  refusedForks: number;
  lateBatches: number;
  commandsFailed: number;
  commandsExpired: number;
  /** newest entry time − received_at of the last batches, newest last. */
  leads: number[];
  /** The latest system.health's data and id (what a change judged on its figures cites), and the free heap of the first one since the boot it belongs to. */
  health?: ValueMap;
  healthId?: string;
  heapAtBoot?: number;
  /** A boot came after the latest system.health: its figures (the reset reason too) are the previous boot's, the last known until the next one. */
  bootSinceHealth?: boolean;
  sensors: Map<string, SensorState>;
}

/**
 * Pulse's counters, kept as data arrives so a beat reads them instead of
 * scanning the event table (issue 12): per node its arrivals and cadence,
 * boots, dropped ranges, refused chains, late batches, command outcomes, the
 * clock offset its batches show, its sensors' lifecycle and its latest
 * health; for the hub the batches by answer, events stored, and the rules'
 * firings and failures. Counters start at zero with the hub (the judge reads
 * them as Prometheus reads a counter: increase over a window, a reset
 * allowed); states (last heard, sensors, health) are restored from the log
 * at start by PulseRestore.
 */
export class PulseCounters {
  readonly nodes = new Map<string, NodeTally>();
  readonly recent: RecentChange[] = [];
  batchesAcked = 0;
  batchesRefused = 0;
  storeErrors = 0;
  eventsStored = 0;
  ruleFirings = 0;
  ruleFailures = 0;
  webhookErrors = 0;

  constructor(private readonly hubId: string) {}

  node(id: string): NodeTally {
    let t = this.nodes.get(id);
    if (!t) {
      t = {
        cadence: new Cadence(8),
        boots: 0,
        gaps: 0,
        dropped: 0,
        refusedForks: 0,
        lateBatches: 0,
        commandsFailed: 0,
        commandsExpired: 0,
        leads: [],
        sensors: new Map(),
      };
      this.nodes.set(id, t);
    }
    return t;
  }

  /** An uplink's answer at `at` (the hub's clock): 'acked' or the refusal code, with the node when the batch named one. */
  batch(result: string, node?: string, at?: number): void {
    if (result === 'acked') {
      this.batchesAcked++;
      return;
    }
    // The hub asking for a compact batch's dictionary is the protocol, not a fault (every node, once, after a restore).
    if (result === 'unknown-dictionary') return;
    this.batchesRefused++;
    if (STORE_FAILURES.has(result)) this.storeErrors++;
    if (!node) return;
    if (CHAIN_REFUSALS.has(result)) this.node(node).refusedForks++;
    if (result === HEARD_UNSTORED && at !== undefined) {
      const t = this.node(node);
      t.lastHeard = Math.max(t.lastHeard ?? at, at);
    }
  }

  /** The hub could not store one of its own events (a percept, an effect, a beat). */
  storeFailed(): void {
    this.storeErrors++;
  }

  /** Called with every commit (the post-commit hook). */
  observe(entries: readonly EventEntry[], receivedAt: number): void {
    this.eventsStored += entries.length;
    let i = 0;
    while (i < entries.length) {
      const node = sourceNode(entries[i].source);
      let j = i + 1;
      while (j < entries.length && sourceNode(entries[j].source) === node) j++;
      if (node === this.hubId) this.own(entries, i, j);
      else this.arrived(node, entries, i, j, receivedAt);
      i = j;
    }
  }

  /** Forgets sensor changes older than a day. */
  prune(now: number): void {
    let k = 0;
    while (k < this.recent.length && this.recent[k].at < now - RECENT_MS) k++;
    if (k) this.recent.splice(0, k);
  }

  private own(entries: readonly EventEntry[], from: number, to: number): void {
    for (let k = from; k < to; k++) {
      const e = entries[k];
      if (e.type === 'system.rule.fired') this.ruleFirings++;
      else if (e.type === 'effect.failed') this.ruleFailures++;
      else if (e.type === 'effect.webhook' && isValueMap(e.data) && e.data.ok === false) this.webhookErrors++;
    }
  }

  private arrived(node: string, entries: readonly EventEntry[], from: number, to: number, receivedAt: number): void {
    const t = this.node(node);
    if (t.lastStored !== undefined) t.cadence.add(receivedAt - t.lastStored);
    t.lastStored = receivedAt;
    t.lastHeard = Math.max(t.lastHeard ?? receivedAt, receivedAt);
    t.lastId = entries[to - 1].id;
    let newest = Number.NEGATIVE_INFINITY;
    for (let k = from; k < to; k++) {
      const e = entries[k];
      // The node stepped its clock: what came before was stamped by the clock it corrected, so it says nothing of the offset now.
      if (e.type === 'system.clock') {
        t.leads.length = 0;
        newest = Number.NEGATIVE_INFINITY;
      }
      if (e.time > newest) newest = e.time;
      this.event(node, t, e);
    }
    const best = t.leads.length ? Math.max(...t.leads) : newest - receivedAt;
    // Lateness is the delay beyond the node's best one, so a node whose clock is off is not late for that alone.
    if (best - (newest - receivedAt) > LATE_BATCH_MS) t.lateBatches++;
    t.leads.push(newest - receivedAt);
    if (t.leads.length > OFFSET_BATCHES) t.leads.shift();
  }

  /** What one node event changes; also used to restore states from the log. */
  event(node: string, t: NodeTally, e: EventEntry): void {
    const d = isValueMap(e.data) ? e.data : undefined;
    switch (e.type) {
      case 'system.boot':
        t.boots++;
        t.bootSinceHealth = true;
        t.wakeMs = declaredWakeMs(d);
        break;
      case 'system.health':
        t.health = d;
        t.healthId = e.id;
        if (t.bootSinceHealth || t.heapAtBoot === undefined) t.heapAtBoot = typeof d?.freeHeap === 'number' ? d.freeHeap : undefined;
        t.bootSinceHealth = false;
        break;
      case 'system.buffer.overflow':
      case 'system.hub.behind':
        t.gaps++;
        if (typeof d?.dropped === 'number') t.dropped += d.dropped;
        break;
      case 'sensor.state': {
        const component = e.source.slice(node.length + 1);
        const to = typeof d?.to === 'string' ? d.to : 'unknown';
        const s: SensorState = { state: to, since: e.time };
        if (typeof d?.reason === 'string') s.reason = d.reason;
        t.sensors.set(component, s);
        this.recent.push({ node, sensor: component, from: typeof d?.from === 'string' ? d.from : 'unknown', to, at: e.time });
        break;
      }
      case 'effect.failed':
      case 'effect.refused':
        t.commandsFailed++;
        break;
      case 'effect.expired':
        t.commandsExpired++;
        break;
    }
  }

  /**
   * The leads of the node's latest batches (`stamps`: its latest events'
   * type, time and moment stored, newest first), as arrived() would have
   * kept them: each batch's newest stamp over its moment stored, none from
   * before the node last stepped its clock. What a restart restores.
   */
  static restoreLeads(t: NodeTally, stamps: readonly (readonly [type: string, time: number, receivedAt: number])[]): void {
    const leads: number[] = [];
    let k = 0;
    while (k < stamps.length && leads.length < OFFSET_BATCHES) {
      const at = stamps[k][2];
      let newest = Number.NEGATIVE_INFINITY;
      let stepped = false;
      // One batch: the run of events stored at one moment; within it, those before a system.clock do not count.
      for (; k < stamps.length && stamps[k][2] === at; k++) {
        if (stepped) continue;
        newest = Math.max(newest, stamps[k][1]);
        if (stamps[k][0] === 'system.clock') stepped = true;
      }
      leads.push(newest - at);
      if (stepped) break;
    }
    t.leads = leads.reverse();
  }

  /**
   * The node's clock offset (its clock − the hub's) as its batches show it:
   * the largest lead of its newest entry over the moment it was stored,
   * i.e. the batch that waited least, over the batches since the node last
   * stepped its clock (system.clock). An estimate that errs towards zero
   * by that batch's delay; undefined before its first batch.
   */
  static clockOffset(t: NodeTally): number | undefined {
    return t.leads.length ? Math.max(...t.leads) : undefined;
  }
}
