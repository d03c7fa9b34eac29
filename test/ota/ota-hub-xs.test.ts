import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { toJsonValue, type JsonValue } from '../../firmware/codec/json-form.js';
import type { ValueMap } from '../../firmware/codec/value.js';
import type { EventEntry } from '../../firmware/event/envelope.js';
import { checkLinks } from '../../firmware/event/verify-chain.js';
import { identityFromSecretKey } from '../../firmware/identity/node-id.js';
import { memoryPreferences } from '../../hal/contracts/preferences.js';
import { getBoard } from '../../host/boards/board-registry.js';
import { nodeCrypto } from '../../host/crypto/node-crypto.js';
import { Hub } from '../../host/hub/hub.js';
import { httpChunk, httpDownlink, httpUplink } from '../../sim/node/xs-node.js';
import { OtaSimNode } from '../../sim/ota/ota-node.js';
import { simImageBytes } from '../../sim/ota/sim-image.js';
import { VirtualClock } from '../../sim/world/virtual-clock.js';
import { tempDir } from '../hub/helpers.js';
import { publishFirmware } from './publish-firmware.js';

/**
 * OTA end to end with the node firmware inside the real XS engine: a real
 * hub (HTTP, SQLite) publishes an image and offers it in a signed answer;
 * the firmware in XS fetches the node-signed chunks over the host-call
 * bridge, streams them into the OTA slots the host keeps (hal/sim/host-ota.ts
 * → sim/ota/ota-slots.ts), asks the host to restart, and the next XS machine
 * boots the new image and confirms it after its first verified answer. Its
 * chain head survives each boot in the preferences the host keeps, as in a
 * device's NVS.
 */
const T0 = Date.UTC(2026, 5, 1);
const BOARD = 'esp32-devkitc';
const CHUNK = 1024;
const SIZE = 3000;
let world = new VirtualClock(T0);
let hub: Hub;
let url = '';
const tmp = tempDir('fazt-ota-xs-');
const nodes: OtaSimNode[] = [];

const image = (version: string) => simImageBytes({ version, healthy: true }, SIZE);
const stored = (id: string): EventEntry[] => [...hub.cartridge.chain(id)];
const ota = (id: string) => stored(id).filter((e) => e.type.startsWith('system.ota.') || e.type === 'system.boot');
const data = (e: EventEntry) => e.data as ValueMap;
const publish = (body: Record<string, unknown>) => publishFirmware(url, hub.ownerToken, body);

async function xsOtaNode(seed: number) {
  const clock = new VirtualClock(T0);
  world = clock; // the hub reads the clock of the node under test
  const identity = identityFromSecretKey(new Uint8Array(32).fill(seed), nodeCrypto);
  hub.cartridge.addNode(identity.publicKey, { name: `xs-ota-${seed}`, board: BOARD });
  const node = await OtaSimNode.startXs({
    name: `xs-ota-${seed}`,
    board: getBoard(BOARD),
    clock,
    config: {
      board: BOARD,
      secretKey: toJsonValue(identity.secretKey),
      hub: { url, publicKey: toJsonValue(hub.publicKey) },
      sensors: [],
      uplink: { batchSize: 64, maxDelayMs: 600_000, downlinkPollMs: 2000 },
      buffer: { budgetBytes: 65_536 },
      health: { intervalMs: 0 },
    } as JsonValue,
    uplink: httpUplink(() => url),
    downlink: httpDownlink(() => url),
    chunk: httpChunk(() => url),
    factory: image('0.1.0'),
    preferences: memoryPreferences(),
    wire: () => undefined,
  });
  nodes.push(node);
  await node.run(T0 + 5000);
  return { id: identity.id, node, run: (ms: number) => node.run(clock.now() + ms) };
}

before(async () => {
  hub = new Hub({ dataDir: tmp.dir, port: 0, clock: () => Math.floor(world.now()), log: () => undefined });
  url = (await hub.start()).url;
});
after(async () => {
  for (const n of nodes) await n.close();
  await hub.stop();
  tmp.cleanup();
});

describe('firmware over the air, hub to simulated node (firmware inside XS)', () => {
  it('publish → offer → chunks over the bridge → verified → applied → restart into a new XS machine running 0.2.0 → confirmed, one chain', async () => {
    const n = await xsOtaNode(71);
    const bytes = image('0.2.0');
    const r = await publish({ board: BOARD, version: '0.2.0', image: Buffer.from(bytes).toString('base64'), nodes: [n.id], chunk: CHUNK });
    assert.equal(r.status, 201, JSON.stringify(r.body));
    await n.run(30_000);

    assert.deepStrictEqual(n.node.booted, ['0.1.0', '0.2.0'], 'restarted once, into the new image');
    assert.deepStrictEqual(n.node.slots.states, ['valid', 'valid'], 'the new image confirmed itself');
    assert.equal(n.node.slots.runningSlot, 1);
    const events = ota(n.id);
    assert.deepStrictEqual(
      events.map((e) => e.type),
      ['system.boot', 'system.ota.started', 'system.ota.applied', 'system.boot', 'system.ota.confirmed'],
    );
    assert.deepStrictEqual([data(events[1]).from, data(events[1]).chunks, data(events[1]).sha256], ['0.1.0', 3, r.body.image.sha256]);
    assert.equal(data(events[3]).firmware, '0.2.0', "the new machine reports the slot's version");
    assert.deepStrictEqual(data(events[4]), { version: '0.2.0' });
    assert.doesNotThrow(() => checkLinks(n.id, stored(n.id), nodeCrypto), 'one unbroken chain across the restart (the head from the preferences)');
    assert.equal(hub.cartridge.commands.get(r.body.offers[0].command)?.state, 'applied');
  });

  it('an image whose bytes at the hub were altered is refused for its hash inside XS; the slot is aborted and 0.1.0 keeps running', async () => {
    const n = await xsOtaNode(72);
    const bytes = image('0.3.0');
    assert.equal((await publish({ board: BOARD, version: '0.3.0', image: Buffer.from(bytes).toString('base64'), chunk: CHUNK })).status, 201);
    const altered = Buffer.from(bytes);
    altered[SIZE - 10] ^= 0x01;
    hub.cartridge.db.prepare("UPDATE firmware_images SET bytes = ? WHERE version = '0.3.0'").run(altered);
    const r = await publish({ board: BOARD, version: '0.3.0', image: Buffer.from(bytes).toString('base64'), nodes: [n.id], chunk: CHUNK });
    assert.equal(r.body.existed, true);
    await n.run(30_000);

    assert.deepStrictEqual(n.node.booted, ['0.1.0'], 'never restarted');
    assert.deepStrictEqual(n.node.slots.states, ['valid', 'empty']);
    const events = ota(n.id);
    assert.deepStrictEqual(
      events.map((e) => e.type),
      ['system.boot', 'system.ota.started', 'system.ota.refused'],
    );
    assert.deepStrictEqual([data(events[2]).reason, data(events[2]).running], ['hash-mismatch', '0.1.0']);
    assert.equal(hub.cartridge.commands.get(r.body.offers[0].command)?.state, 'refused');
  });
});
