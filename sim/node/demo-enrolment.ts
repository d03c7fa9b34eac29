import { toJsonValue, type JsonValue } from '../../firmware/codec/json-form.js';
import { fromHex, toHex } from '../../firmware/codec/text-encodings.js';
import { entryHash } from '../../firmware/event/envelope.js';
import { identityFromSecretKey } from '../../firmware/identity/node-id.js';
import { enrollRequest } from '../../firmware/node/enroll-request.js';
import { getBoard } from '../../host/boards/board-registry.js';
import { nodeCrypto } from '../../host/crypto/node-crypto.js';
import type { Hub } from '../../host/hub/hub.js';
import { VirtualClock } from '../world/virtual-clock.js';
import type { DemoNode } from './demo-nodes.js';
import { hostHttpPost } from './host-http.js';
import { httpDownlink, httpUplink, type SimNodeOptions } from './xs-node.js';

/**
 * Enrols a demo node (`fazt start`) with its hub unless its key already is, and
 * the options to run it with: its chain continues from the last event the hub
 * stored, its clock from `poweredOn` (never before that event).
 */
export async function enrolDemoNode(hub: Hub, hubUrl: string, demo: DemoNode, seedHex: string, poweredOn: number): Promise<SimNodeOptions> {
  const identity = identityFromSecretKey(fromHex(seedHex), nodeCrypto);
  if (!hub.cartridge.hasNode(identity.id)) {
    const invite = hub.cartridge.createInvite({ ttlMs: 60_000, note: `npm start: ${demo.name}` });
    const request = JSON.stringify(enrollRequest(invite.token, identity, nodeCrypto, { name: demo.name, board: demo.board }));
    const res = await hostHttpPost(`${hubUrl}/v1/enroll`, 'application/json', Buffer.from(request));
    if ('error' in res) throw new Error(`enrolling ${demo.name} failed: ${res.error}`);
    if (res.status !== 200) throw new Error(`enrolling ${demo.name} failed: HTTP ${res.status} ${Buffer.from(res.body).toString('utf8')}`);
  }
  const last = hub.cartridge.events({ node: identity.id, order: 'desc', limit: 1 }).events[0];
  const config: JsonValue = {
    name: demo.name,
    board: demo.board,
    secretKey: toJsonValue(identity.secretKey),
    hub: { url: hubUrl, publicKey: toJsonValue(hub.publicKey) },
    sensors: demo.sensors as unknown as JsonValue,
    uplink: { batchSize: 8, maxDelayMs: 2000, ...(demo.downlinkPollMs === undefined ? {} : { downlinkPollMs: demo.downlinkPollMs }) },
    buffer: { budgetBytes: 262_144 },
    // Every 20 s, not the firmware's 15 min: the demo's first beat (30 s) has each node's own figures to judge.
    health: { intervalMs: 20_000 },
  };
  return {
    name: demo.name,
    board: getBoard(demo.board),
    clock: new VirtualClock(Math.max(poweredOn, last?.time ?? 0)),
    config,
    uplink: httpUplink(() => hubUrl),
    downlink: httpDownlink(() => hubUrl),
    wire: (b) => {
      b.health.set(demo.health);
      demo.wire(b);
    },
    collect: true,
    head: last ? { seq: last.seq, hash: toHex(entryHash(last, nodeCrypto)) } : undefined,
  };
}
