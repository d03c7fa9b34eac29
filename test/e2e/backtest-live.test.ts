import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { toJsonValue } from '../../firmware/codec/json-form.js';
import type { ValueMap } from '../../firmware/codec/value.js';
import type { EventEntry } from '../../firmware/event/envelope.js';
import { identityFromSecretKey } from '../../firmware/identity/node-id.js';
import { getBoard } from '../../host/boards/board-registry.js';
import { nodeCrypto } from '../../host/crypto/node-crypto.js';
import { Hub } from '../../host/hub/hub.js';
import { ruleNodes } from '../../host/hub/rule-nodes.js';
import { backtest } from '../../host/rules/index.js';
import { randomWalk, sine, sum } from '../../sim/environment/signals.js';
import { Bme280Model } from '../../sim/models/bme280-model.js';
import { httpUplink, XsNode } from '../../sim/node/xs-node.js';
import { VirtualClock } from '../../sim/world/virtual-clock.js';
import { asOwner, post, tempDir } from '../hub/helpers.js';

/**
 * Backtest equals live: a simulated day (a BME280 on a sine of a 6 h period
 * plus a random walk, firmware in XS, one reading a minute) against a real
 * hub with two rules (a for: window with hysteresis, and a cron schedule
 * with a numeric condition). The live firings (system.rule.fired on the
 * hub's chain) are then compared with backtest() over the stored log
 * (cartridge.recorded.between): the same times, triggers and causes.
 */
const T0 = Date.UTC(2026, 5, 1);
const DAY = 86_400_000;
// One reading each 5 min and a batch each 30 min: XS signs every event and verifies every answer, which at
// one reading a minute costs about 2 s of wall time per simulated hour on this machine.
const READ_MS = 300_000;
const series = { node: 'lab', component: 'bme280', name: 'temperature' };
const rules = [
  {
    id: 'warm-spell',
    name: 'Warm for a quarter of an hour, then cool',
    triggers: [
      { kind: 'numeric', id: 'warm', series, above: 25.5, hysteresis: 0.5, for: '15m' },
      { kind: 'numeric', id: 'cool', series, below: 22.5 },
    ],
    actions: [{ kind: 'notify', message: 'the lab changed' }],
  },
  {
    id: 'two-hourly-if-warm',
    name: 'Every two hours while above 24 °C',
    triggers: [{ kind: 'cron', cron: '0 */2 * * *' }],
    conditions: [{ kind: 'numeric', series, above: 24 }],
    actions: [{ kind: 'notify', message: 'still warm' }],
  },
];

const tmp = tempDir('fazt-backtest-live-');
let hub: Hub;
let node: XsNode;
const clock = new VirtualClock(T0);

before(async () => {
  hub = new Hub({ dataDir: tmp.dir, port: 0, clock: () => Math.floor(clock.now()), rules: true, log: () => undefined });
  const url = asOwner(hub, await hub.start()).url;
  const identity = identityFromSecretKey(new Uint8Array(32).fill(101), nodeCrypto);
  hub.cartridge.addNode(identity.publicKey, { name: 'lab', board: 'esp32-devkitc' });
  for (const doc of rules) assert.equal((await post(`${url}/v1/rules`, JSON.stringify(doc), 'application/json')).status, 201);
  node = await XsNode.start({
    name: 'lab',
    board: getBoard('esp32-devkitc'),
    clock,
    config: {
      board: 'esp32-devkitc',
      secretKey: toJsonValue(identity.secretKey),
      hub: { url, publicKey: toJsonValue(hub.publicKey) },
      sensors: [{ name: 'bme280', driver: 'bme280', i2c: { address: 0x76 }, intervalMs: READ_MS }],
      uplink: { batchSize: 64, maxDelayMs: 1_800_000 },
      buffer: { budgetBytes: 262_144 },
    },
    uplink: httpUplink(() => url),
    wire: (b) => {
      const m = new Bme280Model(0x76, b.clock);
      m.setSignal('temperature', sum([sine(24, 2.5, DAY / 4), randomWalk(7, 0, 0.05, 60_000, -1, 1)]));
      b.attachI2c(m);
    },
  });
});
after(async () => {
  await node?.close();
  await hub.stop();
  tmp.cleanup();
});

describe('backtest equals live over a simulated day', () => {
  it('each rule fires in the backtest over the stored log exactly when it fired live', { timeout: 120_000 }, async (t) => {
    const end = T0 + DAY + 2_100_000; // the day, and the batch of its last readings
    for (let h = T0 + 3_600_000; ; h = Math.min(end, h + 3_600_000)) {
      await node.run(h); // an hour at a time
      if (h >= end) break;
    }
    const own = [...hub.cartridge.chain(hub.hubLog.id)];
    const recorded = () => hub.cartridge.recorded.between(0, Number.MAX_SAFE_INTEGER, hub.hubLog.id);
    const readings = [...hub.cartridge.chain(node.id)].filter((e) => e.type === 'sensor.reading').length;
    assert.ok(readings >= (3 * DAY) / READ_MS, `${readings} readings stored`);
    // The stored log ends at its last commit: the backtest's clock stops there, as the live engine's did.
    const to = ([...recorded()].at(-1)?.receivedAt as number) + 1;
    for (const doc of rules) {
      const added = own.find((e) => e.type === 'system.rule.added' && (e.data as ValueMap).id === doc.id) as EventEntry;
      const from = [...recorded()].find((r) => r.entry.id === added.id)?.receivedAt as number;
      const live = own
        .filter((e) => e.type === 'system.rule.fired' && (e.data as ValueMap).rule === doc.id)
        .map((e) => e.data as ValueMap)
        .map((d) => ({ at: d.at, trigger: d.trigger, causes: d.causes }));
      const replayed = backtest(doc, recorded(), { from, to, hubId: hub.hubLog.id, nodes: ruleNodes(hub.cartridge).refs })
        .firings.filter((f) => f.outcome === 'fired')
        .map((f) => ({ at: f.at, trigger: f.trigger, causes: f.causes }));
      assert.ok(live.length >= 4, `${doc.id}: ${live.length} live firings`);
      assert.deepEqual(replayed, live, doc.id);
      t.diagnostic(`${doc.id}: ${live.length} firings, live = backtest (${live.map((f) => new Date(f.at as number).toISOString().slice(11, 16)).join(' ')})`);
    }
  });
});
