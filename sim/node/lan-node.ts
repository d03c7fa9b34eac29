import { join } from 'node:path';
import type { HubLinkEvent } from '../../firmware/beacon/hub-link.js';
import type { HttpPost } from '../../hal/contracts/http.js';
import { hostHttpPost } from './host-http.js';
import { toJsonValue, type JsonValue } from '../../firmware/codec/json-form.js';
import type { EventEntry } from '../../firmware/event/envelope.js';
import { nodeConfigFromJson } from '../../firmware/node/node-config.js';
import type { Board } from '../../hal/board/board.js';
import type { UDP, UdpOptions } from '../../hal/contracts/io.js';
import type { Preferences } from '../../hal/contracts/preferences.js';
import { LinuxUdp } from '../../hal/linux/linux-udp.js';
import type { SimUdpPort } from '../../hal/sim/sim-ports.js';
import { nodeCrypto } from '../../host/crypto/node-crypto.js';
import { projectRoot } from '../../host/project-root.js';
import { validateOnHost } from '../../host/schema/host-validators.js';
import { SimBoard } from '../world/sim-board.js';
import type { VirtualClock } from '../world/virtual-clock.js';
import { bridgeHost, jsonHostCall } from '../xs/bridge-host.js';
import { XsSession } from '../xs/xs-session.js';
import type { DemoNode } from './demo-nodes.js';
import { lanNodeFirmware, type LanLinkConfig, type LanNodeFirmware } from '../../firmware/node/lan-node-firmware.js';
import type { NodeStatus } from './simulated-node.js';

/** POSTs on the host's network; an unreachable hub is an {error}, never an exception. */

function eventSummary(e: EventEntry): NodeStatus['events'][number] {
  const s: NodeStatus['events'][number] = {
    seq: e.seq,
    time: e.time,
    type: e.type,
    component: e.source.slice(e.source.indexOf('/') + 1),
    data: toJsonValue(e.data),
  };
  if (e.clock !== undefined) s.clock = e.clock;
  return s;
}

/** The board's network: real sockets of this process (LinuxUdp), all closed when the node stops. */
function boardNetwork(interfaces: string[] | undefined): { udp: SimUdpPort; closeAll: () => void } {
  const open = new Set<LinuxUdp>();
  const udp: SimUdpPort = (options: UdpOptions): UDP => {
    const s = new LinuxUdp(options, interfaces ? { interfaces } : {});
    open.add(s);
    return {
      get port() {
        return s.port;
      },
      read: () => s.read(),
      write: (bytes, address, port) => s.write(bytes, address, port),
      close: () => {
        s.close();
        open.delete(s);
      },
    };
  };
  return {
    udp,
    closeAll: () => {
      for (const s of open) s.close();
    },
  };
}

export interface LanNodeOptions {
  name: string;
  board: Board;
  /** Sensors and the device models behind them. */
  demo: Pick<DemoNode, 'sensors' | 'wire'>;
  clock: VirtualClock;
  secretKey: Uint8Array;
  link: LanLinkConfig;
  runtime: 'xs' | 'node';
  /** Multicast stays on these local addresses (default: every interface; tests pass ['127.0.0.1']). */
  interfaces?: string[];
  /** The whole node configuration (fazt sim node --config), instead of one made from the demo's sensors. */
  config?: JsonValue;
  /** The node's flash: its chain head and last command seq survive a restart in it. */
  preferences?: Preferences;
}

export interface LanNodeStatus extends Omit<NodeStatus, 'events'> {
  state: string;
  url: string | null;
  enrolled: boolean;
  link: HubLinkEvent[];
  events: NodeStatus['events'];
}

/**
 * A simulated node that finds its hub by Beacon and enrols by itself: a
 * virtual board (demo sensors) whose network is the host's real one, and the
 * firmware (firmware/node/lan-node-firmware.ts) inside XS or, with runtime 'node',
 * on Node. The caller paces simulated time to the wall clock with run(until).
 */
export class LanNode {
  private constructor(
    readonly id: string,
    readonly runtime: 'xs' | 'node',
    private readonly step: (until: number) => Promise<LanNodeStatus>,
    private end: () => Promise<void>,
  ) {}

  static async start(o: LanNodeOptions): Promise<LanNode> {
    const net = boardNetwork(o.interfaces);
    const board = new SimBoard(o.name, o.board, o.clock, { udp: net.udp });
    o.demo.wire(board);
    const config: JsonValue = o.config ?? {
      name: o.name,
      board: o.board.id,
      secretKey: toJsonValue(o.secretKey),
      hub: { publicKey: toJsonValue(Buffer.from(o.link.hubKey, 'hex')) },
      sensors: o.demo.sensors as unknown as JsonValue,
      uplink: { batchSize: 8, maxDelayMs: 2000 },
      buffer: { budgetBytes: 262_144 },
    };
    validateOnHost('nodeConfig', config);
    const node = await (o.runtime === 'xs' ? LanNode.inXs(o, board, config) : LanNode.onNode(o, board, config)).catch((e: unknown) => {
      net.closeAll();
      throw e;
    });
    const end = node.end;
    node.end = async () => {
      await end();
      net.closeAll(); // whatever the firmware left open (an engine that died), so the process can exit
    };
    return node;
  }

  private static async inXs(o: LanNodeOptions, board: SimBoard, config: JsonValue): Promise<LanNode> {
    const host = bridgeHost(board.backend, o.clock, { http: hostHttpPost, preferences: o.preferences });
    const xs = await XsSession.start(join(projectRoot(), 'sim/xs/entries/lan-node-entry.ts'), { onHostCall: jsonHostCall(host.serve) });
    try {
      const { value } = await xs.call<{ id: string }>('init', config, o.link, o.clock.now(), o.preferences !== undefined);
      await xs.call('start');
      return new LanNode(
        value.id,
        'xs',
        async (until) => (await xs.call<LanNodeStatus>('run', until)).value,
        async () => {
          await xs.call('stop').catch(() => undefined);
          await xs.close();
        },
      );
    } catch (e) {
      await xs.close();
      throw e;
    }
  }

  private static async onNode(o: LanNodeOptions, board: SimBoard, config: JsonValue): Promise<LanNode> {
    const pending = new Set<Promise<unknown>>();
    const http: HttpPost = (url, contentType, body, done) => {
      const p = hostHttpPost(url, contentType, body).then(done);
      pending.add(p);
      void p.finally(() => pending.delete(p));
    };
    const link: HubLinkEvent[] = [];
    const events: NodeStatus['events'] = [];
    const node: LanNodeFirmware = lanNodeFirmware({
      config: nodeConfigFromJson(config),
      link: o.link,
      backend: board.backend,
      time: o.clock,
      crypto: nodeCrypto,
      http,
      onLink: (e) => void (link.length < 1000 && link.push(e)),
      onEvent: (e: EventEntry) => void (events.length < 1000 && events.push(eventSummary(e))),
      preferences: o.preferences,
    });
    node.start();
    return new LanNode(
      node.app.identity.id,
      'node',
      async (until) => {
        // In simulated seconds, letting answers (HTTP, datagrams) land in between; bounded.
        for (let i = 0; i < 10_000 && o.clock.now() < until; i++) {
          o.clock.runUntil(Math.min(until, o.clock.now() + 1000));
          if (pending.size) await Promise.race([Promise.all(pending), new Promise((r) => setTimeout(r, 50))]);
        }
        const a = node.app;
        return {
          head: a.head.seq,
          buffered: a.buffer.count,
          bufferBytes: a.buffer.bytes,
          dropped: a.buffer.stats.dropped,
          uplink: { ...a.uplink.stats },
          clock: a.clock.status(),
          state: node.link.state,
          url: node.link.url ?? null,
          enrolled: node.link.enrolled,
          link: link.splice(0),
          events: events.splice(0),
        };
      },
      async () => {
        node.stop();
        await Promise.all(pending);
      },
    );
  }

  /** Runs the firmware up to `until` (simulated ms since the epoch). */
  run(until: number): Promise<LanNodeStatus> {
    return this.step(until);
  }

  /** Stops the firmware (its byebye, if it announces) and the engine; twice is harmless. */
  async close(): Promise<void> {
    const end = this.end;
    this.end = async () => undefined;
    await end();
  }
}
