import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { toJsonValue, type JsonValue } from '../../firmware/codec/json-form.js';
import type { EventEntry } from '../../firmware/event/envelope.js';
import type { Reading } from '../../firmware/event/reading.js';
import { checkLinks } from '../../firmware/event/verify-chain.js';
import { identityFromSecretKey } from '../../firmware/identity/node-id.js';
import { enrollRequest } from '../../firmware/node/enroll-request.js';
import { getBoard } from '../../host/boards/board-registry.js';
import { nodeCrypto } from '../../host/crypto/node-crypto.js';
import { Hub } from '../../host/hub/hub.js';
import { Bh1750Model } from '../../sim/models/bh1750-model.js';
import { Bme280Model } from '../../sim/models/bme280-model.js';
import { Sht4xModel } from '../../sim/models/sht4x-model.js';
import { httpUplink, XsNode } from '../../sim/node/xs-node.js';
import type { SimBoard } from '../../sim/world/sim-board.js';
import { VirtualClock } from '../../sim/world/virtual-clock.js';

/**
 * The vertical slice: three nodes whose firmware runs inside the real XS
 * engine, their I2C bridged to register-level models, uplinking signed CBOR
 * batches over HTTP to a real hub, which stores them in a real SQLite file.
 */
const dir = mkdtempSync(join(tmpdir(), 'fazt-e2e-'));
let hub: Hub;
let url = '';
const T0 = Date.UTC(2026, 2, 1);
const SET = {
  bme280: { temperature: 21.37, humidity: 48.5, pressure: 100870 },
  sht4x: { temperature: -3.25, humidity: 77.1 },
  bh1750: { illuminance: 421.7 },
};
// Each chip's resolution as the driver is configured here (BME280 at ×1: 2.62 Pa; BH1750 H-res: 1/1.2 lx).
const TOLERANCE: Record<string, number> = { temperature: 0.01, humidity: 0.1, pressure: 2.62, illuminance: 0.84 };

interface Rig {
  node: XsNode;
  clock: VirtualClock;
  id: string;
}
const rigs: Record<string, Rig> = {};
// The hub reads the simulated world's clock: the clock of the node being run (only it talks to the hub
// meanwhile), so the nodes, which take their time from the hub, keep the times the scenario expects.
let world = new VirtualClock(T0);
const hubClock = () => Math.floor(world.now());
const run = (rig: Rig, until: number) => {
  world = rig.clock;
  return rig.node.run(until);
};

async function startNode(
  name: string,
  board: string,
  seed: number,
  sensors: JsonValue[],
  wire: (b: SimBoard) => void,
  budgetBytes = 4 * 1024 * 1024,
): Promise<Rig> {
  const identity = identityFromSecretKey(new Uint8Array(32).fill(seed), nodeCrypto);
  const invite = hub.cartridge.createInvite({ ttlMs: 60_000 });
  const res = await fetch(`${url}/v1/enroll`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(enrollRequest(invite.token, identity, nodeCrypto, { name, board })),
  });
  assert.equal(res.status, 200, await res.text());
  const clock = new VirtualClock(T0);
  world = clock;
  const config: JsonValue = {
    name,
    board,
    secretKey: toJsonValue(identity.secretKey),
    hub: { url, publicKey: toJsonValue(hub.publicKey) },
    sensors,
    uplink: { batchSize: 16, maxDelayMs: 5000 },
    buffer: { budgetBytes },
  };
  const node = await XsNode.start({ name, board: getBoard(board), clock, config, uplink: httpUplink(() => url), wire });
  assert.equal(node.id, identity.id);
  return { node, clock, id: identity.id };
}

const stored = (id: string): EventEntry[] => [...hub.cartridge.chain(id)];
const readings = (es: EventEntry[], name: string) =>
  es.filter((e) => e.type === 'sensor.reading' && (e.data as unknown as Reading).name === name).map((e) => e.data as unknown as Reading);

describe('three XS nodes → hub → SQLite', () => {
  before(async () => {
    hub = new Hub({ dataDir: dir, port: 0, clock: hubClock });
    url = (await hub.start()).url;
    rigs.a = await startNode('living-room', 'esp32-devkitc', 11, [{ name: 'bme280', driver: 'bme280', i2c: { address: 0x76 }, intervalMs: 1000 }], (b) => {
      const m = new Bme280Model(0x76, b.clock);
      for (const [k, v] of Object.entries(SET.bme280)) m.setValue(k, v);
      b.attachI2c(m);
    });
    rigs.b = await startNode('hallway', 'esp32-c3-devkitm-1', 12, [{ name: 'sht4x', driver: 'sht4x', i2c: { address: 0x44 }, intervalMs: 1000 }], (b) => {
      const m = new Sht4xModel(0x44, b.clock);
      for (const [k, v] of Object.entries(SET.sht4x)) m.setValue(k, v);
      b.attachI2c(m);
    });
    rigs.c = await startNode(
      'desk',
      'esp32-s3-devkitc-1',
      13,
      [{ name: 'bh1750', driver: 'bh1750', i2c: { address: 0x23 }, intervalMs: 1000 }],
      (b) => {
        const m = new Bh1750Model(b.clock, 0x23);
        m.setValue('illuminance', SET.bh1750.illuminance);
        b.attachI2c(m);
      },
      16_384,
    );
  });
  after(async () => {
    for (const r of Object.values(rigs)) await r.node.close();
    await hub.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it("every node's readings land in SQLite equal to what its device model was set to, within resolution", async () => {
    for (const r of Object.values(rigs)) await run(r, T0 + 120_000);
    const checks: [Rig, Record<string, number>][] = [
      [rigs.a, SET.bme280],
      [rigs.b, SET.sht4x],
      [rigs.c, SET.bh1750],
    ];
    for (const [rig, set] of checks) {
      const es = stored(rig.id);
      for (const [name, value] of Object.entries(set)) {
        const rs = readings(es, name);
        assert.ok(rs.length >= 100, `${rig.node.name} ${name}: ${rs.length} rows`);
        for (const r of rs) assert.ok(Math.abs((r.value as number) - value) <= TOLERANCE[name], `${rig.node.name} ${name}: stored ${r.value}, model ${value}`);
      }
      checkLinks(rig.id, es, nodeCrypto);
      assert.deepStrictEqual(
        es.map((e) => e.seq),
        es.map((_, i) => i + 1),
      );
      // No real-time clock on an ESP32: 'unsynced' at boot, then the hub's time from the first (boot-time) ack on.
      const synced = es.findIndex((e) => e.type === 'system.clock');
      assert.equal(es[0].clock, 'unsynced');
      assert.ok(synced > 0 && synced < 10, `${rig.node.name}: clock set by seq ${synced + 1}`);
      assert.ok(es.slice(0, synced).every((e) => e.clock === 'unsynced') && es.slice(synced).every((e) => e.clock === 'hub'));
    }
    const nodes = hub.cartridge
      .nodes()
      .map((n) => n.name)
      .sort();
    assert.deepStrictEqual(nodes, ['desk', 'hallway', 'living-room']);
  });

  it('with the hub down for a simulated hour, every reading arrives afterwards, in order, once, with its original time', async () => {
    // One node through the hour (XS hashes every event: 7,200 of them here).
    const before = readings(stored(rigs.b.id), 'temperature').length;
    await hub.stop();
    const down = T0 + 120_000;
    await run(rigs.b, down + 3_600_000);
    hub = new Hub({ dataDir: dir, port: 0, clock: hubClock });
    url = (await hub.start()).url; // a new port: the node's uplink follows `url`
    await run(rigs.b, down + 3_600_000 + 900_000);
    for (const rig of [rigs.b]) {
      const es = stored(rig.id);
      checkLinks(rig.id, es, nodeCrypto);
      assert.deepStrictEqual(
        es.map((e) => e.seq),
        es.map((_, i) => i + 1),
        'nothing lost, nothing twice',
      );
      const times = readings(es, 'temperature').map((r) => r.time);
      const outage = times.filter((t) => t > down && t <= down + 3_600_000);
      assert.ok(outage.length >= 3595, `${rig.node.name}: ${outage.length} readings from the hour offline`);
      for (let i = 1; i < times.length; i++) assert.ok(times[i] > times[i - 1]);
    }
    assert.ok(readings(stored(rigs.b.id), 'temperature').length > before + 3595);
  });

  it('a node whose buffer overflowed during the outage: the drop is counted in an event and signed as a gap', async () => {
    // Node c has a 16 KiB buffer (~80 readings): ten minutes with the hub down overflow it.
    await hub.stop();
    const t = T0 + 120_000;
    await run(rigs.c, t + 600_000);
    hub = new Hub({ dataDir: dir, port: 0, clock: hubClock });
    url = (await hub.start()).url;
    const { status } = await run(rigs.c, t + 600_000 + 120_000);
    assert.ok(status.dropped > 0);
    const gaps = hub.cartridge.gaps(rigs.c.id);
    assert.equal(gaps.length, 1);
    const overflow = stored(rigs.c.id)
      .filter((e) => e.type === 'system.buffer.overflow')
      .map((e) => e.data as { dropped: number; from: number; to: number });
    const last = overflow[overflow.length - 1];
    assert.equal(last.dropped, status.dropped);
    assert.deepStrictEqual([gaps[0].from, gaps[0].to], [last.from, last.to]);
  });
});
