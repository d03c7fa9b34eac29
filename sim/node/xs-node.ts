import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import type { JsonValue } from '../../firmware/codec/json-form.js';
import type { Board } from '../../hal/board/board.js';
import type { Ota } from '../../hal/contracts/ota.js';
import type { Preferences } from '../../hal/contracts/preferences.js';
import { projectRoot } from '../../host/project-root.js';
import { SimBoard } from '../world/sim-board.js';
import type { VirtualClock } from '../world/virtual-clock.js';
import { bridgeHost, jsonHostCall, type OtherHubSenders, type UplinkSender } from '../xs/bridge-host.js';
import { hostHttpPost } from './host-http.js';
import { XsError, type XsMeter } from '../xs/xs-worker.js';
import type { NodeStatus, SampleResult, SimulatedNode } from './simulated-node.js';
import { XsSession } from '../xs/xs-session.js';

/** POSTs to a hub's /v1/uplink; unreachable hubs come back as {error}, not as exceptions. */
export function httpUplink(hubUrl: () => string): UplinkSender {
  return (hex) => hostHttpPost(`${hubUrl()}/v1/uplink`, 'application/cbor', Buffer.from(hex, 'hex'));
}

/** POSTs a downlink poll to a hub's /v1/downlink, the same way. */
export function httpDownlink(hubUrl: () => string): UplinkSender {
  return (hex) => hostHttpPost(`${hubUrl()}/v1/downlink`, 'application/cbor', Buffer.from(hex, 'hex'));
}

/** POSTs a firmware chunk request to a hub's /v1/firmware/chunk, the same way. */
export function httpChunk(hubUrl: () => string): UplinkSender {
  return (hex) => hostHttpPost(`${hubUrl()}/v1/firmware/chunk`, 'application/cbor', Buffer.from(hex, 'hex'));
}

export interface SimNodeOptions {
  name: string;
  board: Board;
  clock: VirtualClock;
  /** The node configuration in its JSON form. */
  config: JsonValue;
  uplink: UplinkSender;
  /** Carries the node's downlink polls to the hub; without it the node gets commands only in its batches' acknowledgements. */
  downlink?: UplinkSender;
  /** The node's other hubs (its config's otherHubs with a url, in order): the firmware fails over to them (firmware/uplink/hub-failover.ts). */
  otherHubs?: readonly OtherHubSenders[];
  /** Attaches the device models this node's sensors talk to. */
  wire: (board: SimBoard) => void;
  collect?: boolean;
  /** Where the node's chain continues from (seq and hash hex), after a restart. */
  head?: { seq: number; hash: string };
  /** Firmware updates (sim/ota/ota-node.ts): the slots, the version booted, the chunk route and the reboot (in XS over the bridge). */
  ota?: { backend: Ota; firmware: string; chunk: UplinkSender; restart: () => void };
  /** The node's flash: its chain head and last command seq survive a restart (powerCycle) in it. */
  preferences?: Preferences;
}

/** An XS engine with the node firmware loaded, not yet a node: see XsNode.boot(). */
export interface XsNodeEngine {
  readonly xs: XsSession;
  /** Where the firmware's host calls go from now on. */
  serve(handler: (bytes: Uint8Array) => Uint8Array | Promise<Uint8Array>): void;
}

/**
 * A simulated ESP32 node: its own virtual board and clock on the host, and
 * the node firmware running inside the real XS engine, its io bridged to the
 * board's device models and its uplink to a hub over HTTP.
 */
export class XsNode implements SimulatedNode {
  readonly runtime = 'xs' as const;
  private constructor(
    readonly name: string,
    public board: SimBoard,
    readonly id: string,
    private xs: XsSession,
    readonly bundleBytes: number,
    private readonly o: SimNodeOptions,
  ) {}

  /**
   * Starts an engine for a node before its options are known (its hub may be
   * starting meanwhile): XS from the node firmware's snapshot, in its own process.
   */
  static async boot(): Promise<XsNodeEngine> {
    let handler: ((bytes: Uint8Array) => Uint8Array | Promise<Uint8Array>) | undefined;
    const xs = await XsSession.start(join(projectRoot(), 'sim/xs/entries/node-entry.ts'), {
      fromSnapshot: true,
      onHostCall: (bytes) => (handler ? handler(bytes) : Promise.reject(new XsError('the node firmware called its host before the node started'))),
    });
    return {
      xs,
      serve: (h) => {
        handler = h;
      },
    };
  }

  /** Starts the node on an engine from boot() (by default a new one); the node owns it from here, failed or not. */
  static async start(o: SimNodeOptions, engine: Promise<XsNodeEngine> = XsNode.boot()): Promise<XsNode> {
    const { xs, serve } = await engine;
    try {
      const board = new SimBoard(o.name, o.board, o.clock);
      o.wire(board);
      const ota = o.ota && { chunk: o.ota.chunk, backend: o.ota.backend, restart: o.ota.restart };
      serve(
        jsonHostCall(
          bridgeHost(board.backend, o.clock, { uplink: o.uplink, downlink: o.downlink, otherHubs: o.otherHubs, preferences: o.preferences, ota }).serve,
        ),
      );
      const seed = randomBytes(32).toString('hex');
      const firmware = o.ota ? { firmware: o.ota.firmware } : null;
      const args = [
        o.config,
        o.clock.now(),
        o.collect ?? false,
        o.head ?? null,
        o.downlink !== undefined,
        seed,
        o.preferences !== undefined,
        firmware,
        o.otherHubs?.length ?? 0,
      ];
      const { value } = await xs.call<{ id: string }>('init', ...args);
      await xs.call('start');
      return new XsNode(o.name, board, value.id, xs, xs.bundleBytes, o);
    } catch (e) {
      await xs.close();
      throw e;
    }
  }

  async run(until: number): Promise<{ status: NodeStatus; meter: XsMeter }> {
    const { value, meter } = await this.xs.call<NodeStatus>('run', until);
    return { status: value, meter };
  }

  /** The firmware's live heap slots after a forced full collection (XsSession.liveHeapSlots). */
  liveHeapSlots(): Promise<number> {
    return this.xs.liveHeapSlots();
  }

  async sampleNow(sensors: string[], at: number): Promise<SampleResult> {
    return (await this.xs.call<SampleResult>('sample', sensors, at)).value;
  }

  /** Moves the node's own clock `ms` ahead at once (a glitch of its time source, not time passing): the firmware sees the leap at its next timer. */
  async stepClock(ms: number): Promise<void> {
    if (!(Number.isSafeInteger(ms) && ms >= 0)) throw new RangeError(`stepClock: ms must be a whole number ≥ 0, got ${ms}`);
    await this.xs.call('stepClock', ms);
  }

  /**
   * A power cut and a boot: the XS machine goes with everything in its RAM (buffer, timers,
   * the batch in flight) without running another line; the configuration (its key) and the
   * preferences stay; the board comes back with fresh device models, and the firmware boots.
   */
  async powerCycle(): Promise<void> {
    await this.xs.close();
    const next = await XsNode.start(this.o);
    this.xs = next.xs;
    this.board = next.board;
  }

  async close(): Promise<void> {
    await this.xs.call('stop').catch(() => undefined);
    await this.xs.close();
  }
}
