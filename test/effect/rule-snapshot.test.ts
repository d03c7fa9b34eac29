import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import type { ValueMap } from '../../firmware/codec/value.js';
import { Hub } from '../../host/hub/hub.js';
import { CARTRIDGE_FILE } from '../../host/hub/hub-wiring.js';
import type { HubOptions } from '../../host/hub/hub-options.js';
import { Cartridge } from '../../host/store/cartridge.js';
import { asOwner, cbor, post, tempDir, TestNode } from '../hub/helpers.js';

/**
 * A real hub's start from the rules snapshot (host/effect/rule-service.ts, migration step 21): the engine is
 * fed only what was stored after it, and decides from there as a start that replays the whole log does; a
 * snapshot this code cannot take (another format, a broken state) is refused by name and the whole log replayed.
 */
const tmp = tempDir('fazt-rule-snapshot-');
after(() => tmp.cleanup());
const T0 = 1_767_225_600_000;

/** Above 21 °C for 30 s: the window opens at the node's 12th reading (21.1) and is proven by the 42nd (30 s later). */
const warm = {
  id: 'lab-warm',
  name: 'Lab warm for half a minute',
  triggers: [{ kind: 'numeric', series: { node: 'lab', component: 'bme280', name: 'temperature' }, above: 21, hysteresis: 0.5, for: '30s' }],
  actions: [{ kind: 'notify', message: 'the lab stays warm', level: 'info' }],
};

/** A log line as the hub writes it: one JSON record. */
type Logged = { code?: string; message?: string };

async function open(dir: string, rules: HubOptions['rules'] = { snapshotEvery: { entries: 1e9, ms: 1e15 } }) {
  let t = T0;
  const logged: Logged[] = [];
  const hub = new Hub({ dataDir: dir, host: '127.0.0.1', port: 0, clock: () => (t += 5), rules, log: (line) => void logged.push(JSON.parse(line)) });
  const url = asOwner(hub, await hub.start()).url;
  const send = async (node: TestNode, first: number, last: number) => assert.equal((await post(`${url}/v1/uplink`, cbor(node.batch(first, last)))).status, 200);
  return { hub, url, send, logged };
}

const stored = (c: Cartridge) => c.db.prepare<[], number>('SELECT count(*) FROM entries').pluck().get() as number;
const fired = (hub: Hub) =>
  [...hub.cartridge.chain(hub.hubLog.id)]
    .filter((e) => e.type === 'system.rule.fired')
    .map((e) => {
      const d = e.data as ValueMap;
      return { rule: d.rule, at: d.at, causes: d.causes, outcome: d.outcome };
    });

/**
 * The window opens under a hub that runs the rules (its clean stop writes the snapshot); ten more readings
 * are stored by a hub without rules; then the rules start again. `old` deletes the snapshot first (a
 * cartridge from before step 21). Returns how that start went and what the rules did after it.
 */
async function scenario(dir: string, old: boolean) {
  const node = new TestNode(0x51);
  node.append(45); // 20.0 … 24.4 °C, one a second
  const first = await open(dir);
  try {
    first.hub.cartridge.addNode(node.identity.publicKey, { name: 'lab', board: 'esp32-devkitc' });
    assert.equal((await post(`${first.url}/v1/rules`, JSON.stringify(warm), 'application/json')).status, 201);
    await first.send(node, 1, 20);
    assert.deepEqual(first.hub.rules?.started, { from: 'log', replayed: 0 });
  } finally {
    await first.hub.stop();
  }
  const plain = await open(dir, false);
  try {
    await plain.send(node, 21, 30);
    if (old) plain.hub.cartridge.db.exec('DELETE FROM rules_snapshot');
  } finally {
    await plain.hub.stop();
  }
  const again = await open(dir);
  try {
    const started = again.hub.rules?.started;
    const all = stored(again.hub.cartridge);
    await again.send(node, 31, 45);
    return { started, all, opened: node.entries[11].id, fired: fired(again.hub), list: again.hub.rules?.list().map((r) => [r.id, r.firings, r.lastFiredAt]) };
  } finally {
    await again.hub.stop();
  }
}

describe("a hub's start from the rules snapshot", () => {
  it('feeds the engine only the entries stored after the snapshot, and then decides as a start that replays the whole log', async () => {
    const snap = await scenario(join(tmp.dir, 'snap'), false);
    const full = await scenario(join(tmp.dir, 'full'), true);
    assert.deepEqual(snap.started, { from: 'snapshot', replayed: 10 }, 'the ten readings stored after the clean stop, nothing before them');
    assert.deepEqual(full.started, { from: 'log', replayed: full.all }, 'without a snapshot every stored entry is replayed');
    assert.ok(full.all > 30);
    // The window opened before the snapshot is proven after the restart, by the reading 30 s after it opened: once.
    assert.equal(snap.fired.length, 1, JSON.stringify(snap.fired));
    assert.equal((snap.fired[0].causes as string[])[0], snap.opened, 'it cites the reading that opened the window, stored before the snapshot');
    assert.deepEqual(snap.fired, full.fired);
    assert.deepEqual(snap.list, full.list);
    // The clean stop wrote the snapshot at the heads.
    const c = Cartridge.open(join(tmp.dir, 'snap', CARTRIDGE_FILE));
    try {
      const latest = c.rulesSnapshots.latest();
      assert.equal(latest?.format, 1);
      assert.equal(latest?.position.get(new TestNode(0x51).id), 45);
    } finally {
      c.close();
    }
  });

  it('refuses a snapshot of another format or a broken one, says why, and replays the whole log instead', async () => {
    const dir = join(tmp.dir, 'refused');
    assert.equal((await scenario(dir, false)).started?.from, 'snapshot', 'a cartridge with a usable snapshot to damage');
    const file = join(dir, CARTRIDGE_FILE);
    for (const [damage, why] of [
      ['UPDATE rules_snapshot SET format = 99', /written in format 99, this code reads 1/],
      [`UPDATE rules_snapshot SET state = '{"engine":'`, /JSON/],
      [`UPDATE rules_snapshot SET state = replace(state, '"version":"', '"version":"0')`, /rule 'lab-warm' compiles to version/],
    ] as const) {
      const c = Cartridge.open(file);
      try {
        c.db.exec(damage);
      } finally {
        c.close();
      }
      const h = await open(dir);
      try {
        const started = h.hub.rules?.started;
        assert.equal(started?.from, 'log', damage);
        assert.match(started?.refused ?? '', why);
        assert.equal(started?.replayed, stored(h.hub.cartridge));
        assert.ok(
          h.logged.some((r) => r.code === 'rule-snapshot' && why.test(r.message ?? '')),
          'the log says the snapshot was not used',
        );
        assert.deepEqual(
          h.hub.rules?.list().map((r) => [r.id, r.firings]),
          [['lab-warm', 1]],
          'the rule and its count come back from the log',
        );
      } finally {
        await h.hub.stop(); // writes a good snapshot again
      }
    }
    const h = await open(dir);
    try {
      assert.deepEqual(h.hub.rules?.started, { from: 'snapshot', replayed: 0 });
    } finally {
      await h.hub.stop();
    }
  });
});
