import { randomBytes } from 'node:crypto';
import { toJsonValue, type JsonValue } from '../../firmware/codec/json-form.js';
import { fromHex } from '../../firmware/codec/text-encodings.js';
import type { EventEntry } from '../../firmware/event/envelope.js';
import { NodeApp } from '../../firmware/node/node-app.js';
import { nodeConfigFromJson } from '../../firmware/node/node-config.js';
import type { EventLogHead } from '../../firmware/event/event-log.js';
import { HubFailover } from '../../firmware/uplink/hub-failover.js';
import { chunkReply, type Transport, uplinkReply } from '../../firmware/uplink/transport.js';
import type { HttpReply } from '../../hal/contracts/http.js';
import { nodeCrypto } from '../../host/crypto/node-crypto.js';
import { validateOnHost } from '../../host/schema/host-validators.js';
import { SimBoard } from '../world/sim-board.js';
import type { NodeStatus, SampleResult, SimulatedNode } from './simulated-node.js';
import type { UplinkSender } from '../xs/bridge-host.js';
import type { SimNodeOptions } from './xs-node.js';

/** An event as NodeStatus reports it. */
function summary(e: EventEntry): NodeStatus['events'][number] {
  const s: NodeStatus['events'][number] = {
    seq: e.seq,
    time: e.time,
    type: e.type,
    component: e.source.slice(e.source.indexOf('/') + 1),
    data: toJsonValue(e.data) as JsonValue,
  };
  if (e.clock !== undefined) s.clock = e.clock;
  return s;
}

/**
 * The same node firmware run on Node instead of XS: the fallback when the XS
 * engine is unavailable, and the many nodes of the ingest benchmark. The
 * uplink is asynchronous here (the answer arrives in a later turn), so run()
 * waits for batches in flight before it returns.
 */
export class NodeRuntimeNode implements SimulatedNode {
  readonly runtime = 'node' as const;
  readonly id: string;
  private app: NodeApp;
  private readonly recent: NodeStatus['events'] = [];
  private inFlight: Promise<unknown> = Promise.resolve();
  private pending = 0;
  /** Bumped by a power cycle: an answer to the machine that went is not delivered to the one that booted. */
  private generation = 0;

  constructor(
    readonly name: string,
    private readonly o: SimNodeOptions,
  ) {
    validateOnHost('nodeConfig', o.config);
    this.app = this.boot();
    this.id = this.app.identity.id;
  }

  /** A board with its device models and the firmware on it, started. */
  private boot(): NodeApp {
    const o = this.o;
    const board = new SimBoard(this.name, o.board, o.clock);
    o.wire(board);
    const generation = this.generation;
    // The exchange is asynchronous here: run() waits for what is in flight before simulated time moves on.
    const exchange =
      <R>(sender: UplinkSender, as: (r: HttpReply) => R) =>
      (body: Uint8Array, done: (r: R) => void) => {
        this.pending++;
        const p = sender(Buffer.from(body).toString('hex')).then((r) => {
          this.pending--;
          if (generation === this.generation) done(as(r));
        });
        this.inFlight = Promise.all([this.inFlight, p]);
      };
    const first: Transport = { send: exchange(o.uplink, uplinkReply) };
    if (o.downlink) first.poll = exchange(o.downlink, uplinkReply);
    if (o.ota) first.chunk = exchange(o.ota.chunk, chunkReply);
    const more = (o.otherHubs ?? []).map(
      (h): Transport => ({ send: exchange(h.uplink, uplinkReply), ...(h.downlink ? { poll: exchange(h.downlink, uplinkReply) } : {}) }),
    );
    const transport = more.length ? new HubFailover([first, ...more]) : first;
    const app = new NodeApp({
      config: nodeConfigFromJson(o.config),
      backend: board.backend,
      time: o.clock,
      crypto: nodeCrypto,
      transport,
      onEvent: (e: EventEntry) => void (o.collect && this.recent.length < 10_000 && this.recent.push(summary(e))),
      head: o.head ? { seq: o.head.seq, hash: fromHex(o.head.hash) } : undefined,
      entropy: (n) => new Uint8Array(randomBytes(n)),
      firmware: o.ota?.firmware,
      ota: o.ota && { backend: o.ota.backend, restart: o.ota.restart },
      preferences: o.preferences,
    });
    app.start();
    return app;
  }

  /**
   * A power cut and a boot: the firmware's RAM goes (buffer, timers, an answer on its way), the
   * configuration (its key) and the preferences stay, and the firmware boots on a fresh board.
   */
  async powerCycle(): Promise<void> {
    this.app.stop(); // only clears its timers, as a cut would: nothing is sent or saved
    this.generation++;
    await this.inFlight;
    this.app = this.boot();
  }

  /** The node's chain head (where a rebooted node continues from). */
  get head(): EventLogHead {
    return this.app.head;
  }

  async run(until: number): Promise<{ status: NodeStatus }> {
    // Timer by timer (at most a simulated second at a time), and a batch in flight
    // is answered before simulated time moves on: the exchange takes no simulated
    // time, as on XS, so the hub's clock in the ack is read at the moment the batch left.
    const clock = this.o.clock;
    for (;;) {
      if (this.pending > 0) await this.inFlight;
      if (clock.now() >= until) break;
      const due = clock.nextDue();
      clock.runUntil(Math.min(until, clock.now() + 1000, due === undefined ? Infinity : Math.max(due, clock.now())));
    }
    // What the last answers set in motion (the next batch of a backfill), bounded.
    for (let i = 0; i < 10_000; i++) {
      const sent = this.app.uplink.stats.sent;
      clock.runUntil(until);
      await this.inFlight;
      if (this.app.uplink.stats.sent === sent) break;
    }
    const a = this.app;
    return {
      status: {
        head: a.head.seq,
        buffered: a.buffer.count,
        bufferBytes: a.buffer.bytes,
        dropped: a.buffer.stats.dropped,
        uplink: { ...a.uplink.stats },
        events: this.recent.splice(0),
        clock: a.clock.status(),
        downlink: { ...a.downlink.stats, lastSeq: a.downlink.lastCommandSeq, polls: a.poller?.stats.polls ?? 0 },
      },
    };
  }

  async sampleNow(sensors: string[], at: number): Promise<SampleResult> {
    await this.run(at);
    const a = this.app;
    const before = a.head.seq;
    const stamped = a.clock.stamp(this.o.clock.now()); // before the sample's ack may correct the event clock
    const sampled = sensors.filter((s) => a.sampleNow(s));
    await this.run(at);
    await this.run(this.o.clock.now()); // a conversion delay moved the clock past `at`: what the sample set in motion
    return { sampled, at: stamped, from: before + 1, to: a.head.seq, unsent: a.buffer.count };
  }

  async close(): Promise<void> {
    this.app.stop();
    await this.inFlight;
  }
}
