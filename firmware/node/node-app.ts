import { encodeCbor } from '../codec/cbor-encode.js';
import type { Value } from '../codec/value.js';
import { entryToValue, type EventEntry } from '../event/envelope.js';
import { EventLog, type EventLogHead } from '../event/event-log.js';
import { identityFromSecretKey, type NodeIdentity, nodeIdFromPublicKey } from '../identity/node-id.js';
import { CompactBatchEncoder, fullBatchEncoder } from '../batch/batch-encoder.js';
import type { DownlinkPoller } from '../uplink/downlink-poller.js';
import { OfflineBuffer } from '../uplink/offline-buffer.js';
import { Uplink } from '../uplink/uplink.js';
import type { OtaUpdater } from '../ota/ota-updater.js';
import type { SensorRunner } from '../sensing/sensor-runner.js';
import { bootEvent } from './boot-event.js';
import { adoptHubHead } from './chain-adoption.js';
import { ChainResume } from './chain-resume.js';
import { Downlink } from './downlink.js';
import { GapReporter } from './gap-reporter.js';
import { DEFAULT_HEALTH_INTERVAL_MS, HealthReporter } from './health-reporter.js';
import { HubClock } from './hub-clock.js';
import type { NodeAppOptions } from './node-app-options.js';
import { nodeOtaUpdater } from './node-ota.js';
import { hubKeys } from './node-config.js';
import { NodeOutputs } from './node-outputs.js';
import { nodePoller } from './node-poller.js';
import { NodeState } from './node-state.js';
import { sensorRunners } from './sensor-runners.js';

export type { NodeAppOptions } from './node-app-options.js';

export const FIRMWARE_VERSION = '0.1.0';

/**
 * The sensor node: its sensors on their schedules (SensorRunner, from the
 * injected timers), every reading and state change an event on the node's
 * hash chain, kept in the offline buffer with its original timestamp, and
 * the buffer sent to the hub in signed batches (Uplink). Portable: the same
 * code runs on a Moddable device, inside XS in the simulator, and on Node.
 *
 * Timestamps come from `clock` (HubClock): with config clock 'hub' (the
 * default) events say 'unsynced' until the first acknowledgement whose
 * signature verifies brings the hub's time, which is why such a node sends
 * its first batch at once; from then on they say 'hub' and carry the
 * corrected time. The first sync and every later correction beyond a second
 * are recorded as system.clock. Schedules keep the raw injected time.
 *
 * Commands come back in the hub's signed answers (Downlink); when nothing
 * was exchanged for uplink.downlinkPollMs the node asks (DownlinkPoller).
 */
export class NodeApp {
  readonly identity: NodeIdentity;
  readonly buffer: OfflineBuffer;
  readonly uplink: Uplink;
  readonly clock: HubClock;
  readonly outputs: NodeOutputs;
  readonly downlink: Downlink;
  readonly poller: DownlinkPoller | undefined;
  readonly health: HealthReporter;
  readonly ota: OtaUpdater | undefined;
  private readonly log: EventLog;
  private readonly runners: SensorRunner[];
  private readonly resume: ChainResume;
  private readonly gaps: GapReporter;

  constructor(private readonly o: NodeAppOptions) {
    const c = o.config;
    this.identity = identityFromSecretKey(c.secretKey, o.crypto);
    this.clock = new HubClock({ local: o.time, mode: c.clock ?? 'hub' });
    const clock = this.clock;
    const state = o.preferences && new NodeState(o.preferences);
    this.resume = new ChainResume(state, o.head, o.log);
    this.log = new EventLog({ nodeId: this.identity.id, crypto: o.crypto, clock: () => clock.now(), clockSource: () => clock.source, head: this.resume.head });
    this.buffer = new OfflineBuffer(c.buffer.budgetBytes);
    // Declared dropped by the first batch (README "Restarts"); said on the chain at start(), so not an overflow.
    this.resume.declare(this.buffer);
    const record = (type: string, component: string, data: Value) => this.record(type, component, data);
    this.gaps = new GapReporter({ log: this.log, buffer: this.buffer, record, warn: o.log, reported: this.resume.lost });
    this.outputs = new NodeOutputs(c.sensors);
    const firmware = o.firmware ?? FIRMWARE_VERSION;
    this.ota = nodeOtaUpdater(o, this.identity, firmware, { record, flush: () => this.uplink.flush(), idle: () => this.buffer.count === 0 });
    const keys = hubKeys(c);
    this.downlink = new Downlink({
      nodeId: this.identity.id,
      hubKey: keys,
      crypto: o.crypto,
      outputs: this.outputs,
      now: () => clock.now(),
      record,
      onTime: (time, sentAt, receivedAt) => this.takeTime(time, sentAt, receivedAt),
      log: o.log,
      ota: this.ota && ((base, action) => this.ota?.offer(base, action)),
      lastCommandSeq: state?.commandSeqs(nodeIdFromPublicKey(c.hub.publicKey, o.crypto), o.log),
      onCommandSeq: state && ((_seq, _hub, all) => state.saveCommandSeqs(all)),
    });
    this.uplink = new Uplink({
      identity: this.identity,
      crypto: o.crypto,
      time: o.time,
      transport: o.transport,
      buffer: this.buffer,
      batchSize: c.uplink.batchSize,
      encoder: c.uplink.form === 'full' ? fullBatchEncoder : new CompactBatchEncoder(o.crypto),
      maxDelayMs: c.uplink.maxDelayMs,
      onResult: o.onUplink,
      onAck: (ack, x) => {
        this.poller?.touch();
        const verified = this.downlink.stats.verified;
        if (this.downlink.answer(ack, { ...x, nonce: null }) > 0) this.uplink.flush();
        // Only an answer signed by the hub vouches for a healthy boot or for the hub holding system.ota.applied.
        if (this.downlink.stats.verified > verified) this.ota?.acked(ack.ack);
      },
      beforeGap: (d) => this.gaps.overflow(d),
      onRewind: (r) => this.gaps.rewind(r),
      onSigned: this.resume.onSigned,
      // Everything before the persisted `from` was acknowledged before the restart.
      ackedSeq: this.resume.ackedSeq,
      onFork: (head, batch) =>
        adoptHubHead(head, batch, {
          nodeId: this.identity.id,
          hubKey: keys,
          crypto: o.crypto,
          log: this.log,
          buffer: this.buffer,
          size: (e) => encodeCbor(entryToValue(e)).length,
          adopted: (data) => this.record('system.chain.adopted', 'uplink', data),
          warn: o.log,
        }),
      // Never heard the hub since boot and waiting for its time: send the first batch now.
      eager: () => clock.mode === 'hub' && !clock.synced && this.uplink.stats.acked === 0,
    });
    this.poller = nodePoller(o, {
      identity: this.identity,
      uplink: this.uplink,
      downlink: this.downlink,
      head: () => this.log.head,
      pending: () => this.buffer.count > 0,
    });
    this.health = new HealthReporter({
      timers: o.time,
      intervalMs: c.health?.intervalMs ?? DEFAULT_HEALTH_INTERVAL_MS,
      source: o.backend.health?.(),
      battery: o.backend.battery?.(),
      own: () => ({
        uplinkRetries: this.uplink.stats.failures + this.uplink.stats.refusals,
        bufferBytes: this.buffer.bytes,
        bufferBudgetBytes: this.buffer.budgetBytes,
      }),
      firmware,
      record: (data) => this.record('system.health', 'node', data),
    });
    this.runners = sensorRunners(c.sensors, {
      backend: o.backend,
      time: o.time,
      clock,
      outputs: this.outputs,
      record: (type, component, data, time) => this.record(type, component, data, time),
      flush: () => this.uplink.flush(),
    });
  }

  get head(): EventLogHead {
    return this.log.head;
  }

  start(): void {
    this.record('system.boot', 'node', bootEvent(this.o.config, this.outputs, this.o.firmware ?? FIRMWARE_VERSION));
    this.ota?.boot();
    this.resume.announce((type, component, data) => this.record(type, component, data));
    for (const r of this.runners) r.start();
    this.uplink.start();
    this.poller?.start();
    this.health.start();
  }

  /**
   * Reads a sensor now, outside its schedule (its environment was poked: an
   * interrupt, a request), and sends what it read at once rather than after
   * uplink.maxDelayMs. False when the node has no such sensor or it cannot be
   * read now (not running). `done` runs once what it read is recorded.
   */
  sampleNow(sensor: string, done?: () => void): boolean {
    const i = this.o.config.sensors.findIndex((s) => s.name === sensor);
    return (
      i >= 0 &&
      this.runners[i].requestSample(() => {
        this.uplink.flush();
        done?.();
      })
    );
  }

  stop(): void {
    for (const r of this.runners) r.stop();
    this.uplink.stop();
    this.poller?.stop();
    this.health.stop();
  }

  /** Appends an event to the chain and the buffer. */
  record(type: string, component: string, data: Value, time?: number): EventEntry {
    const e = this.log.append(type, component, data, time);
    const dropped = this.buffer.push(e, encodeCbor(entryToValue(e)).length, this.o.time.now());
    this.o.onEvent?.(e);
    if (dropped) this.o.log?.(`buffer full: dropped seq ${dropped.from}..${dropped.to}`);
    this.uplink.poke();
    return e;
  }

  /** A verified time from the hub sets (or, in mode 'rtc', measures) the clock; a step is recorded. */
  private takeTime(time: number, sentAt: number, receivedAt: number): void {
    let step;
    try {
      step = this.clock.observe(time, sentAt, receivedAt);
    } catch (e) {
      this.o.log?.(`ignored the hub's time: ${(e as Error).message}`);
      return;
    }
    if (step) this.record('system.clock', 'clock', { source: step.source, offsetMs: step.offsetMs, rttMs: step.rttMs, stepMs: step.stepMs });
  }
}
