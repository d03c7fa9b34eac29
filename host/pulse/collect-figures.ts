import { statfsSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
import { monitorEventLoopDelay, type IntervalHistogram } from 'node:perf_hooks';
import { isValueMap, type ValueMap } from '../../firmware/codec/value.js';
import type { HubBeacon } from '../beacon/hub-beacon.js';
import type { RuleService } from '../effect/rule-service.js';
import { faztVersion } from '../fazt-version.js';
import { bleDeviceList } from '../hub/ble-device-list.js';
import type { Cartridge } from '../store/cartridge.js';
import type { Timekeeper } from '../time/timekeeper.js';
import { type NodeTally, PulseCounters } from './pulse-counters.js';
import type { NodeFigures, PulseMetrics } from './pulse-types.js';
import type { Steps } from './steps.js';

export interface CollectOptions {
  cartridge: Cartridge;
  counters: PulseCounters;
  clock: () => number;
  streamClients: () => number;
  timekeeper?: Timekeeper;
  beacon?: () => HubBeacon | undefined;
  rules?: () => RuleService | undefined;
}

/** The numeric figures of a system.health, by the name a check reads. */
const HEALTH_FIGURES = ['uptimeMs', 'freeHeap', 'largestFreeBlock', 'minFreeHeap', 'rssi', 'uplinkRetries'] as const;

/** Every figure read from the node's latest system.health: a change judged on one cites that event. */
export const HEALTH_METRICS: ReadonlySet<string> = new Set([...HEALTH_FIGURES, 'bufferFill', 'heapLossRatio', 'batteryVolts', 'batteryCharge']);

/** Sensor lifecycle states (firmware/sensing/lifecycle.ts) that are not trouble. */
const WORKING = new Set(['starting', 'running']);

/** A fact's longest text (schemas/event-data.schema.json, pulse.beat facts). */
const FACT_CHARS = 200;

function fileSize(file: string): number | undefined {
  try {
    return statSync(file).size;
  } catch {
    return undefined;
  }
}

/**
 * What a beat collects (README "Pulse"): the hub's figures from its counters,
 * the file system and the process, and every enrolled node's from the
 * counters kept as its data arrived. Cheap on any cartridge: no query reads
 * the event table except by primary key; the stored total is the sum of the
 * chains' heads less the dropped ranges. Figures that cannot be known are
 * left out (a check on them is unknown), never guessed.
 */
export class FigureCollector {
  private readonly delay: IntervalHistogram;
  private readonly startedAt: number;
  private last: { at: number; cpu: NodeJS.CpuUsage; wall: bigint; stored: number; acked: number; refused: number };
  private readonly totals;
  private readonly pending;
  private readonly forks;
  private readonly enrolled;
  private readonly size;
  private readonly hubChain;
  private loopDelayMs: number | undefined;

  constructor(private readonly o: CollectOptions) {
    this.delay = monitorEventLoopDelay({ resolution: 20 });
    this.delay.enable();
    this.startedAt = Math.floor(o.clock());
    this.last = { at: this.startedAt, cpu: process.cpuUsage(), wall: process.hrtime.bigint(), stored: 0, acked: 0, refused: 0 };
    const db = o.cartridge.db;
    this.totals = db.prepare<[], { events: number; nodes: number }>(
      `SELECT (SELECT coalesce(sum(head_seq), 0) FROM nodes) - (SELECT coalesce(sum(to_seq - from_seq + 1), 0) FROM gaps) AS events,
              (SELECT count(*) FROM nodes WHERE kind = 'node') AS nodes`,
    );
    this.size = db.prepare<[], number>('SELECT page_count * page_size FROM pragma_page_count(), pragma_page_size()').pluck();
    this.enrolled = db.prepare<[], { id: string; name: string | null; board: string | null }>(
      // Retired and revoked nodes are no longer expected to report: Pulse does not judge them.
      "SELECT id, name, board FROM nodes WHERE kind = 'node' AND retired_at IS NULL AND revoked_at IS NULL ORDER BY id",
    );
    this.pending = db.prepare<[], { node: string; n: number }>("SELECT node, count(*) AS n FROM commands WHERE state IN ('queued', 'delivered') GROUP BY node");
    this.hubChain = db.prepare<[], string>("SELECT id FROM nodes WHERE kind = 'hub'").pluck();
    // Forks are kept for good (mesh_forks).
    this.forks = db.prepare<[], { node: string; seq: number }>('SELECT node, min(seq) AS seq FROM mesh_forks GROUP BY node');
  }

  /** The enrolled nodes' ids. */
  nodeIds(): string[] {
    return this.enrolled.all().map((n) => n.id);
  }

  stop(): void {
    this.delay.disable();
  }

  /** The figures of the hub, then of `perStep` nodes a step (run them with steps.ts). */
  *collectSteps(perStep: number): Steps<PulseMetrics> {
    const at = Math.floor(this.o.clock());
    const c = this.o.counters;
    c.prune(at);
    const hub: Record<string, number> = {};
    const wall = process.hrtime.bigint();
    const cpu = process.cpuUsage();
    const spanMs = Number(wall - this.last.wall) / 1e6;
    if (spanMs > 0) {
      hub.cpuRatio = (cpu.user - this.last.cpu.user + cpu.system - this.last.cpu.system) / 1000 / spanMs;
      hub.ingestRate = ((c.eventsStored - this.last.stored) / spanMs) * 1000;
    }
    const acked = c.batchesAcked - this.last.acked;
    const refused = c.batchesRefused - this.last.refused;
    hub.batchesAcked = c.batchesAcked;
    hub.batchesRefused = c.batchesRefused;
    if (acked + refused > 0) hub.refusedRatio = refused / (acked + refused);
    this.last = { at, cpu, wall, stored: c.eventsStored, acked: c.batchesAcked, refused: c.batchesRefused };
    const mem = process.memoryUsage();
    hub.rssBytes = mem.rss;
    hub.heapUsedBytes = mem.heapUsed;
    // Beats closer together than the sampling resolution saw no delay: the last figure still stands.
    if (this.delay.count > 0) {
      this.loopDelayMs = this.delay.percentile(99) / 1e6;
      this.delay.reset();
    }
    if (this.loopDelayMs !== undefined) hub.eventLoopDelayMs = this.loopDelayMs;
    hub.uptimeMs = at - this.startedAt;
    hub.streamClients = this.o.streamClients();
    hub.storeErrors = c.storeErrors;
    hub.ruleFirings = c.ruleFirings;
    hub.ruleFailures = c.ruleFailures;
    hub.webhookErrors = c.webhookErrors;
    const file = this.o.cartridge.file;
    // The store as SQLite counts it: committed pages, also those still only in the write-ahead log.
    hub.storeBytes = this.size.get() as number;
    hub.walBytes = fileSize(`${file}-wal`) ?? 0;
    try {
      const fs = statfsSync(dirname(file));
      if (fs.blocks > 0) {
        hub.diskFreeBytes = fs.bavail * fs.bsize;
        hub.diskFreeRatio = fs.bavail / fs.blocks;
      }
    } catch {
      // no figure: the checks on the disk say unknown
    }
    const totals = this.totals.get() as { events: number; nodes: number };
    hub.events = totals.events;
    hub.nodes = totals.nodes;
    this.timeAndPeers(hub);
    const hubFacts: Record<string, string> = { version: faztVersion() };
    this.bleDevices(hub, hubFacts);
    const rules = this.o.rules?.();
    if (rules) hub.rulesEnabled = rules.list().filter((r) => r.enabled).length;
    const pending = new Map(this.pending.all().map((r) => [r.node, r.n]));
    const forked = new Map(this.forks.all().map((r) => [r.node, r.seq]));
    const nodes: Record<string, NodeFigures> = {};
    const enrolled = this.enrolled.all();
    for (let i = 0; i < enrolled.length; i++) {
      if (i > 0 && i % perStep === 0) yield;
      const n = enrolled[i];
      const t = c.nodes.get(n.id) ?? c.node(n.id);
      nodes[n.id] = nodeFigures(n.name ?? n.id, t, at, pending.get(n.id) ?? 0, n.board);
      nodes[n.id].figures.forkedAt = forked.get(n.id) ?? 0;
    }
    return { at, hub, hubFacts, nodes };
  }

  /**
   * The hub's BLE devices (README "BLE sensors"): how many, and which are absent (their sensor not
   * working: not heard for absentAfter advertisement intervals), from the hub chain's newest
   * sensor.state of each, read by index. None configured: no figure and no fact, so hub.ble-absent
   * (appliesTo "ble") gives no verdict.
   */
  private bleDevices(hub: Record<string, number>, facts: Record<string, string>): void {
    const hubId = this.hubChain.get();
    const devices = hubId === undefined ? [] : bleDeviceList(this.o.cartridge, hubId);
    if (devices.length === 0) return;
    const absent = devices.filter((d) => d.state !== null && !WORKING.has(d.state)).map((d) => d.name ?? d.mac);
    facts.ble = 'configured';
    hub.bleDevices = devices.length;
    hub.bleAbsent = absent.length;
    if (absent.length) facts.bleAbsentNames = namesWithin(absent, FACT_CHARS);
  }

  private timeAndPeers(hub: Record<string, number>): void {
    const tk = this.o.timekeeper?.status();
    if (tk) hub.ntpSynced = tk.ntp.synced ? 1 : 0;
    // Confidence means something only where the owner asked for peers' time; a hub alone on its system clock is not judged on it.
    if (tk && tk.mode === 'peers') {
      hub.timeConfidence = tk.confidence;
      hub.timeSources = tk.sources;
    }
    const b = this.o.beacon?.()?.status();
    if (b) {
      hub.beaconPeers = b.peers.length;
      hub.beaconRefused = b.refused;
    }
  }
}

function nodeFigures(name: string, t: NodeTally, at: number, pending: number, board: string | null): NodeFigures {
  const f: Record<string, number> = {
    reboots: t.boots,
    gaps: t.gaps,
    dropped: t.dropped,
    refusedForks: t.refusedForks,
    lateBatches: t.lateBatches,
    commandsQueued: pending,
    commandsFailed: t.commandsFailed,
    commandsExpired: t.commandsExpired,
  };
  const facts: Record<string, string> = {};
  if (board) facts.board = board;
  if (t.wakeMs !== undefined) {
    f.wakeEveryMs = t.wakeMs;
    facts.power = 'deep-sleep';
  }
  if (t.lastHeard !== undefined) {
    f.lastSeenMs = Math.max(0, at - t.lastHeard);
    // A sleeping node is heard once a wake: its declared period, not the gaps between one wake's batches (nor its sensors' intervals).
    const expected = t.wakeMs ?? t.cadence.observed();
    if (expected !== undefined) {
      f.expectedMs = expected;
      f.silentRatio = f.lastSeenMs / expected;
    }
  }
  const offset = PulseCounters.clockOffset(t);
  if (offset !== undefined) f.clockOffsetMs = Math.abs(offset);
  const sensors: NodeFigures['sensors'] = {};
  let down = 0;
  for (const [name, s] of t.sensors) {
    sensors[name] = { ...s };
    if (!WORKING.has(s.state)) down++;
  }
  f.sensors = t.sensors.size;
  f.sensorsDown = down;
  if (t.health) health(t.health, t.heapAtBoot, f, facts);
  // The reset reason a health tells is its own boot's: after a restart it is not the last reset's.
  if (t.bootSinceHealth) delete facts.resetReason;
  return { name, figures: f, facts, sensors };
}

function health(h: ValueMap, heapAtBoot: number | undefined, f: Record<string, number>, facts: Record<string, string>): void {
  for (const k of HEALTH_FIGURES) {
    const v = h[k];
    if (typeof v === 'number') f[k] = v;
  }
  if (typeof h.bufferBytes === 'number' && typeof h.bufferBudgetBytes === 'number' && h.bufferBudgetBytes > 0)
    f.bufferFill = h.bufferBytes / h.bufferBudgetBytes;
  if (typeof h.freeHeap === 'number' && heapAtBoot !== undefined && heapAtBoot > 0) f.heapLossRatio = Math.max(0, (heapAtBoot - h.freeHeap) / heapAtBoot);
  if (typeof h.resetReason === 'string') facts.resetReason = h.resetReason;
  // A board with a battery says {volts, percent}, or null when its reading failed (then the battery check is unknown, not skipped).
  if (isValueMap(h.battery)) {
    facts.battery = 'measured';
    if (typeof h.battery.volts === 'number') f.batteryVolts = h.battery.volts;
    if (typeof h.battery.percent === 'number') f.batteryCharge = h.battery.percent / 100;
  } else if (h.battery === null) facts.battery = 'unreadable';
  if (typeof h.firmware === 'string') facts.firmware = h.firmware;
}

/** Names joined with commas, as many as fit in `max` characters, the rest counted ("and 3 more"). */
function namesWithin(names: readonly string[], max: number): string {
  let text = '';
  for (let i = 0; i < names.length; i++) {
    const next = text === '' ? names[i] : `${text}, ${names[i]}`;
    const rest = names.length - i - 1;
    if ((rest ? `${next} and ${rest} more` : next).length > max) return `${text} and ${names.length - i} more`;
    text = next;
  }
  return text;
}
