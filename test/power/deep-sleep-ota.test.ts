import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { toJsonValue, type JsonValue } from '../../firmware/codec/json-form.js';
import type { ValueMap } from '../../firmware/codec/value.js';
import type { EventEntry } from '../../firmware/event/envelope.js';
import { checkLinks } from '../../firmware/event/verify-chain.js';
import { identityFromSecretKey } from '../../firmware/identity/node-id.js';
import { getBoard } from '../../host/boards/board-registry.js';
import { nodeCrypto } from '../../host/crypto/node-crypto.js';
import { Hub } from '../../host/hub/hub.js';
import { checkDocumentOnHost } from '../../host/schema/host-validators.js';
import { SleepingNode, type WakeResult } from '../../sim/node/sleeping-node.js';
import { httpChunk, httpUplink } from '../../sim/node/xs-node.js';
import { OtaSlots } from '../../sim/ota/ota-slots.js';
import { readSimImage, simImageBytes } from '../../sim/ota/sim-image.js';
import { VirtualClock } from '../../sim/world/virtual-clock.js';
import { tempDir } from '../hub/helpers.js';
import { publishFirmware } from '../ota/publish-firmware.js';

/**
 * A deep-sleep node updated over the air, a real hub (HTTP, SQLite) and the
 * simulated OTA slots: every wake is a reset the bootloader model sees, so an
 * image that did not confirm within its first wake would be rolled back.
 */
const T0 = Date.UTC(2026, 6, 1);
const BOARD = 'esp32-devkitc';
const PERIOD = 5 * 60_000;
const CHUNK = 1024;
let world = new VirtualClock(T0);
let hub: Hub;
let url = '';
const tmp = tempDir('fazt-sleep-ota-');

const image = (version: string, chunks: number) => simImageBytes({ version, healthy: true }, chunks * CHUNK);
const data = (e: EventEntry) => e.data as ValueMap;
const types = (w: WakeResult) => w.events.filter((e) => e.type.startsWith('system.ota.') || e.type === 'system.boot').map((e) => e.type);

/** A sleeping node whose chunk fetches each take `chunkMs` of simulated time (a slow link). */
function sleeper(seed: number, chunkMs: number) {
  const clock = new VirtualClock(T0);
  world = clock;
  const identity = identityFromSecretKey(new Uint8Array(32).fill(seed), nodeCrypto);
  hub.cartridge.addNode(identity.publicKey, { name: `sleeper-${seed}`, board: BOARD });
  const slots = new OtaSlots(image('0.1.0', 1), (b) => readSimImage(b)?.version);
  const chunk = httpChunk(() => url);
  const node = new SleepingNode({
    name: `sleeper-${seed}`,
    board: getBoard(BOARD),
    clock,
    config: {
      board: BOARD,
      secretKey: toJsonValue(identity.secretKey),
      hub: { url, publicKey: toJsonValue(hub.publicKey) },
      sensors: [],
      uplink: { batchSize: 64, maxDelayMs: 60_000 },
      buffer: { budgetBytes: 65_536 },
      health: { intervalMs: 0 },
      power: { mode: 'deep-sleep', wakeEveryMs: PERIOD },
    } as JsonValue,
    uplink: httpUplink(() => url),
    // After the turn that asked (never inside the clock's own run): the time the chunk takes passes, timers due run.
    ota: { slots, chunk: (hex) => Promise.resolve().then(() => (clock.runFor(chunkMs), chunk(hex))) },
    wire: () => undefined,
  });
  return { id: identity.id, node, slots, publish: (body: Record<string, unknown>) => publishFirmware(url, hub.ownerToken, body) };
}

before(async () => {
  hub = new Hub({ dataDir: tmp.dir, port: 0, clock: () => Math.floor(world.now()), log: () => undefined });
  url = (await hub.start()).url;
});
after(async () => {
  await hub.stop();
  tmp.cleanup();
});

describe('firmware over the air to a node in deep sleep (simulator, real hub)', () => {
  it('a download longer than maxAwakeMs finishes in its wake; the node reboots, confirms in the next wake, and is not rolled back', async () => {
    const n = sleeper(81, 3000);
    assert.equal((await n.node.wake()).summary.reason, 'sent');
    // 12 chunks of 3 s: 36 s, past the 20 s an ordinary wake may last.
    const r = await n.publish({ board: BOARD, version: '0.2.0', image: Buffer.from(image('0.2.0', 12)).toString('base64'), nodes: [n.id], chunk: CHUNK });
    assert.equal(r.status, 201, JSON.stringify(r.body));

    const download = await n.node.wake();
    assert.deepStrictEqual(types(download), ['system.boot', 'system.ota.started', 'system.ota.applied']);
    assert.equal(download.summary.reason, 'restart', 'rebooted into the new image once the hub held system.ota.applied');
    assert.equal(download.timersLeft, 0);
    assert.equal(hub.cartridge.commands.get(r.body.offers[0].command)?.state, 'applied');

    const first = await n.node.wake();
    assert.equal(first.cause, 'other', 'a software reset, not a timer wake');
    assert.equal(first.version, '0.2.0');
    assert.deepStrictEqual(types(first), ['system.boot', 'system.ota.confirmed'], 'confirmed within its first wake');
    assert.equal(first.summary.reason, 'sent');
    assert.equal(first.summary.saved, 0, 'system.ota.confirmed reached the hub before the sleep');
    assert.deepStrictEqual(n.slots.states, ['valid', 'valid']);

    const next = await n.node.wake();
    assert.equal(next.cause, 'timer');
    assert.deepStrictEqual(types(next), ['system.boot'], 'the deep-sleep reset rolled nothing back');
    assert.deepStrictEqual(n.node.booted, ['0.1.0', '0.1.0', '0.2.0', '0.2.0']);
    assert.equal(n.slots.runningSlot, 1);
    assert.doesNotThrow(() => checkLinks(n.id, [...hub.cartridge.chain(n.id)], nodeCrypto), 'one chain across sleeps and the reboot');
  });

  it('a download the wake cannot finish by maxOtaAwakeMs is refused as wake-ended, which settles the offer; the wake sleeps', async () => {
    const n = sleeper(82, 10_000);
    await n.node.wake();
    // 30 chunks of 10 s: 300 s, past the 180 s a wake with a download may last.
    const r = await n.publish({ board: BOARD, version: '0.3.0', image: Buffer.from(image('0.3.0', 30)).toString('base64'), nodes: [n.id], chunk: CHUNK });
    assert.equal(r.status, 201, JSON.stringify(r.body));

    const w = await n.node.wake();
    assert.deepStrictEqual(types(w), ['system.boot', 'system.ota.started', 'system.ota.refused']);
    const refused = w.events.find((e) => e.type === 'system.ota.refused') as EventEntry;
    assert.equal(data(refused).reason, 'wake-ended');
    assert.equal(checkDocumentOnHost('otaEventData', { type: refused.type, data: toJsonValue(refused.data) }), null);
    assert.equal(data(refused).command, r.body.offers[0].command);
    assert.equal(w.summary.reason, 'deadline');
    assert.equal(w.summary.saved, 0, 'the refusal was sent before the sleep');
    assert.ok(refused.time - T0 - PERIOD >= 180_000 - 10_000, 'the download went on past maxAwakeMs');
    assert.deepStrictEqual(n.slots.states, ['valid', 'empty'], 'the slot was aborted; the running image stays the boot image');
    assert.equal(hub.cartridge.commands.get(r.body.offers[0].command)?.state, 'refused', 'settled: not offered again');

    const again = await n.node.wake();
    assert.deepStrictEqual(types(again), ['system.boot'], 'the hub did not offer it again');
    assert.deepStrictEqual(n.node.booted, ['0.1.0', '0.1.0', '0.1.0']);
  });
});
