import { encodeCbor } from '../codec/cbor-encode.js';
import type { Value, ValueMap } from '../codec/value.js';
import type { CryptoProvider } from '../crypto/crypto-provider.js';
import { entryToValue, type EventEntry } from '../event/envelope.js';
import { EventLog, type EventLogHead } from '../event/event-log.js';
import { identityFromSecretKey, type NodeIdentity } from '../identity/node-id.js';
import { CompactBatchEncoder, fullBatchEncoder } from '../batch/batch-encoder.js';
import { createPoll } from '../uplink/downlink-poll.js';
import { DownlinkPoller } from '../uplink/downlink-poller.js';
import { OfflineBuffer } from '../uplink/offline-buffer.js';
import { pollNonces } from '../uplink/poll-nonce.js';
import type { Transport, UplinkResult } from '../uplink/transport.js';
import { Uplink } from '../uplink/uplink.js';
import type { HalBackend } from '../../hal/contracts/io.js';
import type { Ota } from '../../hal/contracts/ota.js';
import type { Preferences } from '../../hal/contracts/preferences.js';
import type { HalTime } from '../../hal/contracts/time.js';
import { OtaUpdater } from '../ota/ota-updater.js';
import { buildFilters } from '../sensing/filters/build-filters.js';
import { openSensor } from '../sensing/open-sensor.js';
import { SensorRunner, type ValueFilter } from '../sensing/sensor-runner.js';
import { adoptHubHead } from './chain-adoption.js';
import { Downlink } from './downlink.js';
import { declaredConfig } from './declared-config.js';
import { DEFAULT_HEALTH_INTERVAL_MS, HealthReporter } from './health-reporter.js';
import { HubClock } from './hub-clock.js';
import { DEFAULT_DOWNLINK_POLL_MS, type NodeConfig } from './node-config.js';
import { NodeOutputs } from './node-outputs.js';
import { NodeState } from './node-state.js';

export interface NodeAppOptions {
  config: NodeConfig;
  backend: HalBackend;
  time: HalTime;
  crypto: CryptoProvider;
  transport: Transport;
  /** Every event the node records, as it is recorded (for a local display). */
  onEvent?: (event: EventEntry) => void;
  onUplink?: (result: UplinkResult, batch: { first: number; last: number; bytes: number }) => void;
  log?: (line: string) => void;
  /** Where the node's chain continues from (a restart with persisted state); `preferences` holding a head win. */
  head?: EventLogHead;
  /** Where the chain head and the last command seq survive a restart (firmware/node/node-state.ts). */
  preferences?: Preferences;
  /** Random bytes for the downlink polls' nonces; without it they derive from the key and the clock at boot (poll-nonce.ts). */
  entropy?: (n: number) => Uint8Array;
  /** The version of the image running (default FIRMWARE_VERSION; the simulator's comes from the slot it booted). */
  firmware?: string;
  /** Firmware updates (firmware/ota/ota-updater.ts): the OTA backend and how to reboot into a committed image. */
  ota?: { backend: Ota; restart: () => void };
}

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
  private readonly runners: SensorRunner[] = [];
  private reportedGap: { from: number; to: number } | undefined;
  /** What a restart took from RAM: seqs from..to (to: the persisted head), sent or about to be, that the hub may not hold. */
  private readonly resumed: { from: number; to: number } | undefined;

  constructor(private readonly o: NodeAppOptions) {
    const c = o.config;
    this.identity = identityFromSecretKey(c.secretKey, o.crypto);
    this.clock = new HubClock({ local: o.time, mode: c.clock ?? 'hub' });
    const clock = this.clock;
    const state = o.preferences && new NodeState(o.preferences);
    const saved = state?.chain(o.log);
    this.log = new EventLog({ nodeId: this.identity.id, crypto: o.crypto, clock: () => clock.now(), clockSource: () => clock.source, head: saved ?? o.head });
    this.buffer = new OfflineBuffer(c.buffer.budgetBytes);
    if (saved && saved.from <= saved.seq) {
      // Declared dropped by the first batch (README "Restarts"); said on the chain at start().
      this.buffer.lost(saved.from, saved.seq);
      this.resumed = this.reportedGap = { from: saved.from, to: saved.seq };
    }
    this.outputs = new NodeOutputs(c.sensors);
    const firmware = o.firmware ?? FIRMWARE_VERSION;
    if (o.ota)
      this.ota = new OtaUpdater({
        identity: this.identity,
        board: c.board,
        hubKey: c.hub.publicKey,
        crypto: o.crypto,
        ota: o.ota.backend,
        running: firmware,
        fetchChunk: o.transport.chunk?.bind(o.transport),
        timers: o.time,
        record: (type, component, data) => this.record(type, component, data).seq,
        flush: () => this.uplink.flush(),
        idle: () => this.buffer.count === 0,
        restart: o.ota.restart,
        log: o.log,
      });
    this.downlink = new Downlink({
      nodeId: this.identity.id,
      hubKey: c.hub.publicKey,
      crypto: o.crypto,
      outputs: this.outputs,
      now: () => clock.now(),
      record: (type, component, data) => this.record(type, component, data),
      onTime: (time, sentAt, receivedAt) => this.takeTime(time, sentAt, receivedAt),
      log: o.log,
      ota: this.ota && ((base, action) => this.ota?.offer(base, action)),
      lastCommandSeq: state?.commandSeq(),
      onCommandSeq: state && ((seq) => state.saveCommandSeq(seq)),
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
      beforeGap: (d) => this.recordOverflow(d),
      onRewind: (r) => this.recordRewind(r),
      onSigned: state && ((b) => state.saveChain({ seq: b.last, hash: b.head, from: b.from })),
      // Everything before the persisted `from` was acknowledged before the restart.
      ackedSeq: saved && saved.from - 1,
      onFork: (head, batch) =>
        adoptHubHead(head, batch, {
          nodeId: this.identity.id,
          hubKey: c.hub.publicKey,
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
    const pollMs = c.uplink.downlinkPollMs ?? DEFAULT_DOWNLINK_POLL_MS;
    if (o.transport.poll && pollMs > 0) {
      const seed = o.entropy ? o.entropy(32) : o.crypto.sha256(encodeCbor(['fazt/poll-seed/v1', c.secretKey, o.time.now()]));
      const nonces = pollNonces(seed, o.crypto);
      this.poller = new DownlinkPoller({
        time: o.time,
        pollMs,
        busy: () => this.uplink.busy,
        pending: () => this.buffer.count > 0,
        flush: () => this.uplink.flush(),
        poll: (done) => this.poll(nonces(), done),
      });
    }
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
    for (const s of c.sensors) {
      const filters: Record<string, ValueFilter> = {};
      this.runners.push(
        new SensorRunner({
          name: s.name,
          time: o.time,
          intervalMs: s.intervalMs,
          checks: s.checks,
          filters,
          open: () => {
            const d = openSensor(s, {
              backend: o.backend,
              time: o.time,
              // An event (motion, a press) is news: it goes at once, not after uplink.maxDelayMs; from a fresh
              // turn, since it may come while a command is being applied (an output's read-back).
              onEvent: (sensor, e) => {
                this.record('sensor.event', sensor, this.restamp(e) as unknown as Value, clock.stamp(e.time));
                o.time.setTimeout(() => this.uplink.flush(), 0);
              },
            });
            if (s.filters && s.filters.length)
              for (const ch of d.channels) if (ch.unit !== undefined && !filters[ch.name]) filters[ch.name] = buildFilters(s.filters);
            this.outputs.attach(s.name, d);
            return d;
          },
          onReading: (r) => this.record('sensor.reading', s.name, this.restamp(r) as unknown as Value, clock.stamp(r.time)),
          onState: (ch) => this.record('sensor.state', s.name, { from: ch.from, to: ch.to, reason: ch.reason }, clock.stamp(ch.time)),
        }),
      );
    }
  }

  get head(): EventLogHead {
    return this.log.head;
  }

  start(): void {
    const boot: ValueMap = {
      firmware: this.o.firmware ?? FIRMWARE_VERSION,
      board: this.o.config.board,
      sensors: this.o.config.sensors.length,
      config: declaredConfig(this.o.config),
    };
    // The outputs a command may name (the hub checks commands against the latest boot); absent on nodes without any.
    const outputs = this.outputs.list;
    if (outputs.length) boot.outputs = outputs.map((x) => ({ name: x.name, driver: x.driver, pin: x.pin }));
    this.record('system.boot', 'node', boot);
    this.ota?.boot();
    const lost = this.resumed;
    if (lost) this.record('system.chain.resumed', 'uplink', { seq: lost.to, from: lost.from, to: lost.to, unconfirmed: lost.to - lost.from + 1 });
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

  /** Asks the hub for commands: a signed poll naming the chain head and a fresh nonce. */
  private poll(nonce: Uint8Array, done: () => void): void {
    const head = this.log.head;
    const sentAt = this.o.time.now();
    (this.o.transport.poll as NonNullable<Transport['poll']>)(createPoll(this.identity, head, nonce, this.o.crypto), (r) => {
      try {
        if (r.ok && this.downlink.answer(r.ack, { head: head.hash, nonce, sentAt, receivedAt: this.o.time.now() }) > 0) this.uplink.flush();
      } finally {
        done();
      }
    });
  }

  /** A sample's own time (read on the local clock) as the event clock tells it; unchanged while there is no correction. */
  private restamp<T extends { time: number }>(x: T): T {
    return this.clock.offsetMs === 0 ? x : { ...x, time: this.clock.stamp(x.time) };
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

  /**
   * Records system.hub.behind when the hub turns out to hold less of the chain than it had
   * acknowledged (restored from a backup): what it holds, what it had acknowledged and the
   * range the next batch declares dropped. That range is then reported, so it is not also
   * called an overflow.
   */
  private recordRewind(r: { hubSeq: number; ackedSeq: number; from: number; to: number }): void {
    this.o.log?.(`hub holds seq ${r.hubSeq}, had acknowledged ${r.ackedSeq}: declaring ${r.from}..${r.to} dropped`);
    this.reportedGap = { from: r.from, to: r.to };
    this.record('system.hub.behind', 'uplink', { hubSeq: r.hubSeq, ackedSeq: r.ackedSeq, dropped: r.to - r.from + 1, from: r.from, to: r.to });
  }

  /**
   * Records the loss as a system.buffer.overflow event when a batch is about
   * to declare it: the range is cumulative (every seq dropped since the hub
   * last acknowledged), and the event sits at the tail of the buffer, so a
   * long outage cannot drop the record of what it dropped before it is sent.
   */
  private recordOverflow(d: { from: number; to: number }): void {
    const r = this.reportedGap;
    if (r && r.from === d.from && r.to === d.to) return;
    // Make room for the event first, so the range it states is final (its own push must not drop more).
    const draft = { dropped: d.to - d.from + 1, from: d.from, to: d.to + 64, budgetBytes: this.buffer.budgetBytes };
    this.buffer.makeRoom(encodeCbor(entryToValue(this.log.draft('system.buffer.overflow', 'uplink', draft))).length);
    const g = this.buffer.dropped as { from: number; to: number };
    this.reportedGap = { from: g.from, to: g.to };
    this.record('system.buffer.overflow', 'uplink', { dropped: g.to - g.from + 1, from: g.from, to: g.to, budgetBytes: this.buffer.budgetBytes });
  }
}
