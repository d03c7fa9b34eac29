import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { encodeCbor } from '../../firmware/codec/cbor-encode.js';
import { toJsonValue, type JsonValue } from '../../firmware/codec/json-form.js';
import type { ValueMap } from '../../firmware/codec/value.js';
import type { EventEntry } from '../../firmware/event/envelope.js';
import { checkLinks } from '../../firmware/event/verify-chain.js';
import { identityFromSecretKey, type NodeIdentity } from '../../firmware/identity/node-id.js';
import { createChunkRequest } from '../../firmware/ota/chunk-request.js';
import { signManifest } from '../../firmware/ota/firmware-manifest.js';
import { getBoard } from '../../host/boards/board-registry.js';
import { nodeCrypto } from '../../host/crypto/node-crypto.js';
import { Hub } from '../../host/hub/hub.js';
import { checkDocumentOnHost } from '../../host/schema/host-validators.js';
import { httpDownlink, httpUplink, httpChunk } from '../../sim/node/xs-node.js';
import { OtaSimNode } from '../../sim/ota/ota-node.js';
import { simImageBytes } from '../../sim/ota/sim-image.js';
import { VirtualClock } from '../../sim/world/virtual-clock.js';
import { tempDir } from '../hub/helpers.js';
import { publishFirmware } from './publish-firmware.js';

/**
 * OTA end to end on the Node runtime of the simulated node: a real hub
 * (HTTP, SQLite) publishes an image and offers it in a signed answer; the
 * node fetches it in node-signed chunks into the simulated OTA slots,
 * verifies the hub's signature and the hash, reboots into it and confirms
 * after its first acknowledged uplink, or refuses, or is rolled back.
 */
const T0 = Date.UTC(2026, 5, 1);
const BOARD = 'esp32-devkitc';
const POLL_MS = 2000;
const CHUNK = 1024;
const SIZE = 3000; // three chunks, the last one short
let world = new VirtualClock(T0);
let hub: Hub;
let url = '';
const tmp = tempDir('fazt-ota-');
const nodes: OtaSimNode[] = [];

const image = (version: string, healthy = true) => simImageBytes({ version, healthy }, SIZE);
const stored = (id: string): EventEntry[] => [...hub.cartridge.chain(id)];
const ota = (id: string) => stored(id).filter((e) => e.type.startsWith('system.ota.') || e.type === 'system.boot');
const data = (e: EventEntry) => e.data as ValueMap;

const publish = (body: Record<string, unknown>) => publishFirmware(url, hub.ownerToken, body);

async function chunk(request: Uint8Array): Promise<{ status: number; bytes: Uint8Array; code?: string }> {
  const res = await fetch(`${url}/v1/firmware/chunk`, { method: 'POST', headers: { 'content-type': 'application/cbor' }, body: request });
  const bytes = new Uint8Array(await res.arrayBuffer());
  return { status: res.status, bytes, code: res.ok ? undefined : (JSON.parse(Buffer.from(bytes).toString()) as { error: { code: string } }).error.code };
}

function key(seed: number): NodeIdentity {
  return identityFromSecretKey(new Uint8Array(32).fill(seed), nodeCrypto);
}

async function otaNode(seed: number) {
  const clock = new VirtualClock(T0);
  world = clock; // the hub reads the clock of the node under test
  const identity = key(seed);
  hub.cartridge.addNode(identity.publicKey, { name: `ota-${seed}`, board: BOARD });
  const node = new OtaSimNode({
    name: `ota-${seed}`,
    board: getBoard(BOARD),
    clock,
    config: {
      board: BOARD,
      secretKey: toJsonValue(identity.secretKey),
      hub: { url, publicKey: toJsonValue(hub.publicKey) },
      sensors: [],
      uplink: { batchSize: 64, maxDelayMs: 600_000, downlinkPollMs: POLL_MS },
      buffer: { budgetBytes: 65_536 },
      health: { intervalMs: 0 },
    } as JsonValue,
    uplink: httpUplink(() => url),
    downlink: httpDownlink(() => url),
    chunk: httpChunk(() => url),
    factory: image('0.1.0'),
    wire: () => undefined,
  });
  nodes.push(node);
  await node.run(T0 + 5000);
  return { id: identity.id, node, clock, run: (ms: number) => node.run(clock.now() + ms) };
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

describe('firmware over the air, hub to simulated node (Node runtime)', () => {
  it('publish → offer in the signed answer → chunks → verified → applied → reboot into 0.2.0 → confirmed, all on the chains', async () => {
    const n = await otaNode(61);
    const bytes = image('0.2.0');
    const r = await publish({ board: BOARD, version: '0.2.0', image: Buffer.from(bytes).toString('base64'), nodes: [n.id], chunk: CHUNK });
    assert.equal(r.status, 201, JSON.stringify(r.body));
    assert.equal(r.body.image.sha256, Buffer.from(nodeCrypto.sha256(bytes)).toString('hex'));
    await n.run(30_000);

    assert.deepStrictEqual(n.node.booted, ['0.1.0', '0.2.0'], 'rebooted once, into the new image');
    assert.deepStrictEqual(n.node.slots.states, ['valid', 'valid'], 'the new image confirmed itself');
    assert.equal(n.node.slots.runningSlot, 1);
    const events = ota(n.id);
    assert.deepStrictEqual(
      events.map((e) => e.type),
      ['system.boot', 'system.ota.started', 'system.ota.applied', 'system.boot', 'system.ota.confirmed'],
    );
    const cmd = r.body.offers[0].command;
    assert.deepStrictEqual(data(events[1]), {
      command: cmd,
      seq: 1,
      version: '0.2.0',
      sha256: r.body.image.sha256,
      from: '0.1.0',
      size: SIZE,
      chunks: 3,
    });
    assert.equal(data(events[3]).firmware, '0.2.0', "the rebooted node reports the slot's version");
    assert.deepStrictEqual(data(events[4]), { version: '0.2.0' });
    for (const e of events.filter((x) => x.type.startsWith('system.ota.')))
      assert.equal(checkDocumentOnHost('otaEventData', { type: e.type, data: toJsonValue(e.data) }), null, e.type);
    assert.doesNotThrow(() => checkLinks(n.id, stored(n.id), nodeCrypto), 'one unbroken chain across the reboot');
    assert.equal(hub.cartridge.commands.get(cmd)?.state, 'applied', "the node's signed system.ota.applied settled the offer");

    const hubEvents = stored(hub.hubLog.id).filter((e) => e.type.startsWith('system.firmware.'));
    assert.deepStrictEqual(
      hubEvents.map((e) => [e.type, data(e).sha256]),
      [
        ['system.firmware.published', r.body.image.sha256],
        ['system.firmware.offered', r.body.image.sha256],
      ],
    );
    assert.equal(r.body.image.event, hubEvents[0].id);
    assert.equal(data(hubEvents[1]).command, cmd);
  });

  it('an image whose bytes at the hub were altered is refused for its hash; 0.1.0 keeps running', async () => {
    const n = await otaNode(62);
    const bytes = image('0.3.0');
    assert.equal((await publish({ board: BOARD, version: '0.3.0', image: Buffer.from(bytes).toString('base64'), chunk: CHUNK })).status, 201);
    const altered = Buffer.from(bytes);
    altered[SIZE - 10] ^= 0x01;
    hub.cartridge.db.prepare("UPDATE firmware_images SET bytes = ? WHERE version = '0.3.0'").run(altered);
    const r = await publish({ board: BOARD, version: '0.3.0', image: Buffer.from(bytes).toString('base64'), nodes: [n.id], chunk: CHUNK });
    assert.equal(r.body.existed, true);
    await n.run(30_000);

    assert.deepStrictEqual(n.node.booted, ['0.1.0'], 'never rebooted');
    assert.deepStrictEqual(n.node.slots.states, ['valid', 'empty'], 'the next slot was aborted, the running one is the boot image');
    const events = ota(n.id);
    assert.deepStrictEqual(
      events.map((e) => e.type),
      ['system.boot', 'system.ota.started', 'system.ota.refused'],
    );
    assert.equal(data(events[2]).reason, 'hash-mismatch');
    assert.equal(data(events[2]).running, '0.1.0');
    assert.equal(hub.cartridge.commands.get(r.body.offers[0].command)?.state, 'refused');
  });

  it('an image whose manifest another key signed is refused before a byte is fetched', async () => {
    const n = await otaNode(63);
    const bytes = image('0.4.0');
    const m = hub.cartridge.firmware.manifest(BOARD, '0.4.0', bytes);
    hub.cartridge.firmware.add(m, signManifest(m, key(99), nodeCrypto), bytes, T0);
    const r = await publish({ board: BOARD, version: '0.4.0', image: Buffer.from(bytes).toString('base64'), nodes: [n.id], chunk: CHUNK });
    assert.equal(r.body.existed, true);
    await n.run(30_000);

    assert.deepStrictEqual(n.node.booted, ['0.1.0']);
    assert.deepStrictEqual(n.node.slots.states, ['valid', 'empty']);
    const events = ota(n.id);
    assert.deepStrictEqual(
      events.map((e) => e.type),
      ['system.boot', 'system.ota.refused'],
    );
    assert.equal(data(events[1]).reason, 'bad-signature');
  });

  it('an image that never confirms itself is rolled back at the next boot, and the node says so', async () => {
    const n = await otaNode(64);
    const bytes = image('0.5.0', false);
    const r = await publish({ board: BOARD, version: '0.5.0', image: Buffer.from(bytes).toString('base64'), nodes: [n.id], chunk: CHUNK });
    assert.equal(r.status, 201);
    await n.run(30_000);

    assert.deepStrictEqual(n.node.booted, ['0.1.0', 'crashed:0.5.0', '0.1.0'], 'the new image crashed before it confirmed; the bootloader went back');
    assert.deepStrictEqual(n.node.slots.states, ['valid', 'aborted']);
    assert.equal(n.node.slots.runningSlot, 0);
    const events = ota(n.id);
    assert.deepStrictEqual(
      events.map((e) => e.type),
      ['system.boot', 'system.ota.started', 'system.ota.applied', 'system.boot', 'system.ota.rolledback'],
    );
    assert.equal(data(events[3]).firmware, '0.1.0');
    assert.deepStrictEqual(data(events[4]), { from: '0.5.0', running: '0.1.0' });
  });

  it('a power cycle before the new image confirmed rolls it back too', async () => {
    const n = await otaNode(65);
    n.node.slots.begin(SIZE);
    n.node.slots.write(image('0.6.0'));
    n.node.slots.commit();
    await n.node.powerCycle(); // boots 0.6.0 pending verification; no simulated time passes: no uplink was acknowledged
    assert.equal(n.node.slots.pendingVerify, true);
    await n.node.powerCycle();
    await n.run(10_000);
    assert.deepStrictEqual(n.node.booted, ['0.1.0', '0.6.0', '0.1.0']);
    assert.deepStrictEqual(
      ota(n.id).map((e) => [e.type, data(e).firmware ?? data(e).from]),
      [
        ['system.boot', '0.1.0'],
        ['system.boot', '0.6.0'],
        ['system.boot', '0.1.0'],
        ['system.ota.rolledback', '0.6.0'],
      ],
    );
  });

  it('the chunk route answers only an enrolled node, signed by its own key, for an image offered to it', async () => {
    const p = key(66);
    const q = key(67);
    hub.cartridge.addNode(p.publicKey, { name: 'p', board: BOARD });
    hub.cartridge.addNode(q.publicKey, { name: 'q', board: BOARD });
    const bytes = image('0.7.0');
    const r = await publish({ board: BOARD, version: '0.7.0', image: Buffer.from(bytes).toString('base64'), nodes: [p.id], chunk: CHUNK });
    const sha = nodeCrypto.sha256(bytes);

    assert.equal((await chunk(createChunkRequest(p, sha, 1, nodeCrypto))).code, 'not-offered', 'not before the offer went out in a signed answer');
    hub.cartridge.commands.deliver(p.id);
    const ok = await chunk(createChunkRequest(p, sha, 1, nodeCrypto));
    assert.equal(ok.status, 200);
    assert.deepStrictEqual(ok.bytes, bytes.subarray(CHUNK, 2 * CHUNK));
    assert.equal((await chunk(createChunkRequest(p, sha, 2, nodeCrypto))).bytes.length, SIZE - 2 * CHUNK);
    assert.equal((await chunk(createChunkRequest(p, sha, 3, nodeCrypto))).code, 'no-chunk');

    const other = await chunk(createChunkRequest(q, sha, 0, nodeCrypto));
    assert.deepStrictEqual([other.status, other.code], [403, 'not-offered'], 'another enrolled node');
    const stranger = await chunk(createChunkRequest(key(68), sha, 0, nodeCrypto));
    assert.deepStrictEqual([stranger.status, stranger.code], [403, 'unknown-node'], 'a key that never enrolled');
    const forged = encodeCbor({ v: 1, node: p.id, image: sha, n: 0, sig: nodeCrypto.sign(new Uint8Array([1]), q.secretKey) });
    assert.deepStrictEqual([(await chunk(forged)).status, (await chunk(forged)).code], [401, 'bad-signature'], "p's id, signed by another key");
    const unsigned = encodeCbor({ v: 1, node: p.id, image: sha, n: 0 });
    assert.equal((await chunk(unsigned)).status, 400);

    // Settled (the node's outcome stored), the offer is closed: no more chunks.
    hub.cartridge.db.prepare("UPDATE commands SET state = 'applied' WHERE id = ?").run(r.body.offers[0].command);
    assert.equal((await chunk(createChunkRequest(p, sha, 0, nodeCrypto))).code, 'not-offered');
  });

  it('publish refuses another image under a version the board has, an unknown board and a node of another board', async () => {
    const a = await publish({ board: BOARD, version: '0.8.0', image: Buffer.from(image('0.8.0')).toString('base64') });
    assert.equal(a.status, 201);
    const again = await publish({ board: BOARD, version: '0.8.0', image: Buffer.from(image('0.8.1')).toString('base64') });
    assert.deepStrictEqual([again.status, again.body.error?.code], [409, 'version-exists']);
    const board = await publish({ board: 'no-such-board', version: '1.0.0', image: Buffer.from(image('1.0.0')).toString('base64') });
    assert.deepStrictEqual([board.status, board.body.error?.code], [400, 'unknown-board']);
    const c3 = key(69);
    hub.cartridge.addNode(c3.publicKey, { name: 'c3', board: 'esp32-c3-devkitm-1' });
    const wrong = await publish({ board: BOARD, version: '0.8.0', image: Buffer.from(image('0.8.0')).toString('base64'), nodes: [c3.id] });
    assert.deepStrictEqual([wrong.status, wrong.body.error?.code], [400, 'wrong-board']);
    const unauth = await fetch(`${url}/v1/firmware`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
    assert.equal(unauth.status, 401);
  });
});
