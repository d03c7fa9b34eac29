import type { HubLinkEvent } from '../../firmware/beacon/hub-link.js';
import { HubClient, type EnrolResult } from '../../firmware/beacon/hub-client.js';
import type { JsonValue } from '../../firmware/codec/json-form.js';
import { toHex } from '../../firmware/codec/text-encodings.js';
import { identityFromSecretKey, nodeIdFromPublicKey } from '../../firmware/identity/node-id.js';
import type { LanLinkConfig } from '../../firmware/node/lan-node-firmware.js';
import { nodeConfigFromJson, type NodeConfig } from '../../firmware/node/node-config.js';
import { uplinkReply } from '../../firmware/uplink/transport.js';
import type { Board } from '../../hal/board/board.js';
import { nodeCrypto } from '../../host/crypto/node-crypto.js';
import { validateOnHost } from '../../host/schema/host-validators.js';
import type { UplinkSender } from '../xs/bridge-host.js';
import type { VirtualClock } from '../world/virtual-clock.js';
import { configDevices } from './config-devices.js';
import { hostHttpPost } from './host-http.js';
import type { Preferences } from '../../hal/contracts/preferences.js';
import { LanNode } from './lan-node.js';
import { NodeRuntimeNode } from './node-runtime-node.js';
import type { SimulatedNode } from './simulated-node.js';
import { httpDownlink, httpUplink, XsNode } from './xs-node.js';

export interface ConfigNodeOptions {
  /** The node configuration's JSON form, checked (host/node-config/node-config-check.ts). */
  config: JsonValue;
  board: Board;
  clock: VirtualClock;
  runtime: 'xs' | 'node';
  /** The hub's address, over hub.url (fazt sim node --hub). */
  hubUrl?: string;
  /** How a node without a hub URL searches (SSDP group and port, window, retry, announce). */
  lan: Omit<LanLinkConfig, 'hubKey' | 'token' | 'tokenPersists'>;
  interfaces?: string[];
  /** The node's flash: its chain head and last command seq, so a second run continues the chain. */
  preferences?: Preferences;
}

/** What the node did since the last run: the same link events `fazt sim node` prints, and its counters. */
export interface ConfigNodeStatus {
  head: number;
  buffered: number;
  uplink: { sent: number; acked: number };
  link: HubLinkEvent[];
}

/**
 * A node configuration run in the simulator as the device would run it:
 * its key, its sensors (device models from configDevices), its uplink
 * policy. Without a hub URL it is the device's Beacon firmware (LanNode:
 * search, enrol with hub.token, uplink); with one it is NodeApp uplinking to
 * that URL (XsNode), enrolled first with hub.token over HTTP when there is
 * one — a device with hub.url does not enrol itself, so trying the
 * configuration here enrols the very key the device will carry.
 */
export class ConfigNode {
  private constructor(
    readonly id: string,
    readonly runtime: 'xs' | 'node',
    private readonly step: (until: number) => Promise<ConfigNodeStatus>,
    readonly close: () => Promise<void>,
  ) {}

  static async start(o: ConfigNodeOptions): Promise<ConfigNode> {
    const parsed = nodeConfigFromJson(o.config);
    const url = o.hubUrl ?? parsed.hub.url;
    return url === undefined ? ConfigNode.byBeacon(o, parsed) : ConfigNode.atUrl(o, parsed, url.replace(/\/$/, ''));
  }

  private static async byBeacon(o: ConfigNodeOptions, c: NodeConfig): Promise<ConfigNode> {
    const link: LanLinkConfig = { ...o.lan, hubKey: toHex(c.hub.publicKey), token: c.hub.token ?? null, tokenPersists: true };
    const node = await LanNode.start({
      name: c.name ?? c.board,
      board: o.board,
      demo: { sensors: c.sensors, wire: configDevices(c.sensors) },
      clock: o.clock,
      secretKey: c.secretKey,
      link,
      runtime: o.runtime,
      interfaces: o.interfaces,
      config: o.config,
      preferences: o.preferences,
    });
    return new ConfigNode(
      node.id,
      node.runtime,
      async (until) => {
        const s = await node.run(until);
        return { head: s.head, buffered: s.buffered, uplink: s.uplink, link: s.link };
      },
      () => node.close(),
    );
  }

  private static async atUrl(o: ConfigNodeOptions, c: NodeConfig, url: string): Promise<ConfigNode> {
    const config = { ...(o.config as Record<string, JsonValue>), hub: { ...((o.config as Record<string, JsonValue>).hub as Record<string, JsonValue>), url } };
    validateOnHost('nodeConfig', config);
    const link: HubLinkEvent[] = [];
    if (c.hub.token !== undefined) link.push(...(await enrol(c, url)));
    // The hub's answers, as the Beacon firmware reports them.
    const observed: UplinkSender = (hex) =>
      httpUplink(() => url)(hex).then((reply) => {
        const r = uplinkReply(reply);
        if (r.ok) link.push({ event: 'acked', ack: r.ack.ack, stored: r.ack.stored });
        else if (r.refused) link.push({ event: 'refused', stage: 'uplink', code: r.code, message: r.message });
        return reply;
      });
    const options = {
      name: c.name ?? c.board,
      board: o.board,
      clock: o.clock,
      config,
      uplink: observed,
      downlink: httpDownlink(() => url),
      // The owner's other hubs with a url: the firmware fails over to them (hub-failover.ts).
      otherHubs: (c.otherHubs ?? []).flatMap((h) =>
        h.url ? [{ uplink: httpUplink(() => h.url as string), downlink: httpDownlink(() => h.url as string) }] : [],
      ),
      wire: configDevices(c.sensors),
      preferences: o.preferences,
    };
    const node: SimulatedNode = o.runtime === 'xs' ? await XsNode.start(options) : new NodeRuntimeNode(options.name, options);
    return new ConfigNode(
      node.id,
      node.runtime,
      async (until) => {
        const { status } = await node.run(until);
        return { head: status.head, buffered: status.buffered, uplink: status.uplink, link: link.splice(0) };
      },
      () => node.close(),
    );
  }

  /** Runs the firmware up to `until` (simulated ms since the epoch). */
  run(until: number): Promise<ConfigNodeStatus> {
    return this.step(until);
  }
}

/** POST /v1/enroll with the configuration's token, as the Beacon firmware would once it found the hub. */
async function enrol(c: NodeConfig, url: string): Promise<HubLinkEvent[]> {
  const identity = identityFromSecretKey(c.secretKey, nodeCrypto);
  const client = new HubClient((u, type, body, done) => void hostHttpPost(u, type, body).then(done), identity, nodeCrypto, c.hub.publicKey);
  const r = await new Promise<EnrolResult>((done) => client.enrol(url, { token: c.hub.token as string, name: c.name, board: c.board, persistent: true }, done));
  if (r.ok) return [{ event: 'enrolled', node: r.node, hub: nodeIdFromPublicKey(c.hub.publicKey, nodeCrypto) }];
  if (r.refused) return [{ event: 'refused', stage: 'enroll', code: r.code, message: r.message }];
  return [{ event: 'refused', stage: 'enroll', code: 'unreachable', message: r.reason }];
}
