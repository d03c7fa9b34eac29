import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { ValueMap } from '../../firmware/codec/value.js';
import type { EventEntry } from '../../firmware/event/envelope.js';
import { dispatch } from '../../host/cli/command.js';
import { root } from '../../host/cli/root.js';
import type { PulseService } from '../../host/pulse/pulse-service.js';
import { cbor, get, post, startHub, TestNode } from '../hub/helpers.js';

/**
 * Pulse on a real hub (HTTP, SQLite) on a virtual clock, beating by hand:
 * two nodes report readings and health; one falls silent, one is refused a
 * forked chain, the disk fills (SQLite's own SQLITE_FULL, by a page limit on
 * the hub's connection). Each change is one pulse.<status> event on the
 * hub's chain, citing its beat; a rule turns a critical one into a
 * notification; GET /v1/pulse and `fazt pulse` say it in words.
 */
const T0 = Date.UTC(2026, 5, 1, 12);
const MIN = 60_000;
let now = T0;
let h: Awaited<ReturnType<typeof startHub>>;
let pulse: PulseService;
const lab = new TestNode(91);
const hall = new TestNode(92);
const sent = new Map<TestNode, number>();

function health(n: TestNode, freeHeap: number): void {
  n.record(
    'system.health',
    'node',
    {
      uptimeMs: now - T0,
      freeHeap,
      largestFreeBlock: freeHeap / 2,
      minFreeHeap: freeHeap - 1000,
      resetReason: 'power-on',
      rssi: -60,
      uplinkRetries: 0,
      bufferBytes: 100,
      bufferBudgetBytes: 65536,
      firmware: '0.1.0',
    },
    now,
  );
}

async function flush(n: TestNode): Promise<number> {
  const done = sent.get(n) ?? 0;
  if (n.entries.length === done) return 200;
  const r = await post(`${h.url}/v1/uplink`, cbor(n.batch(done + 1, n.entries.length)));
  if (r.status === 200) sent.set(n, n.entries.length);
  return r.status;
}

/** Runs the world to `until` in 10 s steps: each node in `live` reads and uplinks. */
async function run(until: number, live: TestNode[]): Promise<void> {
  while (now < until) {
    now += 10_000;
    for (const n of live) {
      n.record('sensor.reading', 'bme280', { name: 'temperature', unit: 'Cel', value: 21, quality: 'good', time: now }, now);
      assert.equal(await flush(n), 200);
    }
  }
}

const own = (): EventEntry[] => [...h.hub.cartridge.chain(h.hub.hubLog.id)];
const changes = () => own().filter((e) => e.type.startsWith('pulse.') && e.type !== 'pulse.beat');

before(async () => {
  h = await startHub({ clock: () => now, rules: true, pulse: { everyMs: 0 }, log: () => undefined });
  pulse = h.hub.pulse as PulseService;
  h.hub.cartridge.addNode(lab.identity.publicKey, { name: 'lab', board: 'esp32-devkitc' });
  h.hub.cartridge.addNode(hall.identity.publicKey, { name: 'hallway', board: 'esp32-c3-devkitm-1' });
  for (const n of [lab, hall]) {
    n.record('system.boot', 'node', { firmware: '0.1.0', board: 'esp32-devkitc', sensors: 1 }, now);
    n.record('sensor.state', 'bme280', { from: 'starting', to: 'running' }, now);
    health(n, 120_000);
  }
  process.env.FAZT_TOKEN = h.hub.ownerToken; // the CLI calls this hub as its owner
});
after(() => {
  delete process.env.FAZT_TOKEN;
  return h.stop();
});

describe('Pulse on a hub', () => {
  it('says healthy, names both nodes, and stores the beat on the hub’s signed chain', async () => {
    await run(T0 + 5 * MIN, [lab, hall]);
    const a = pulse.beat();
    assert.equal(a.judgement.status, 'healthy', JSON.stringify(a.judgement.verdicts.filter((v) => v.status !== 'healthy')));
    assert.match(a.text, /lab|hallway/);
    const beat = own().at(-1) as EventEntry;
    assert.equal(beat.type, 'pulse.beat');
    assert.equal((beat.data as ValueMap).status, 'healthy');
    assert.equal(changes().length, 0, 'a healthy start announces nothing');
    const r = await get(`${h.url}/v1/pulse`);
    assert.equal(r.status, 200);
    assert.equal(r.body.status, 'healthy');
    assert.deepEqual((r.body.nodes as { name: string }[]).map((n) => n.name).sort(), ['hallway', 'lab']);
  });

  it('a silent node turns critical once, citing the beat; a rule notifies; it clears when heard again', async () => {
    const put = await post(
      `${h.url}/v1/rules`,
      JSON.stringify({
        id: 'pulse-critical',
        name: 'Tell me',
        triggers: [{ kind: 'event', type: 'pulse.critical' }],
        actions: [{ kind: 'notify', message: 'Pulse: critical', level: 'alert' }],
      }),
      'application/json',
    );
    assert.equal(put.status, 201, JSON.stringify(put.body));
    for (let k = 0; k < 4; k++) {
      await run(now + 5 * MIN, [lab]);
      pulse.beat();
    }
    const silent = changes().filter((e) => (e.data as ValueMap).subject === hall.id);
    assert.deepEqual(
      silent.map((e) => [e.type, (e.data as ValueMap).check]),
      [['pulse.critical', 'node.silent']],
      JSON.stringify(changes().map((e) => e.data)),
    );
    const d = silent[0].data as ValueMap;
    assert.match(String(d.text), /hallway/);
    const beats = own().filter((e) => e.type === 'pulse.beat');
    assert.ok(
      (d.causes as string[]).some((c) => beats.some((b) => b.id === c)),
      'it cites the beat that judged it',
    );
    const notify = own().filter((e) => e.type === 'effect.notify');
    assert.equal(notify.length, 1);
    assert.deepEqual((notify[0].data as ValueMap).causes, [silent[0].id]);

    const r = await get(`${h.url}/v1/pulse`);
    assert.equal(r.body.status, 'critical');
    assert.match(String(r.body.text), /hallway/);

    await run(now + MIN, [lab, hall]);
    pulse.beat();
    const back = changes().filter((e) => (e.data as ValueMap).subject === hall.id);
    assert.deepEqual(
      back.map((e) => e.type),
      ['pulse.critical', 'pulse.healthy'],
    );
  });

  it('fazt pulse and fazt pulse history answer from the hub, and from the cartridge with --data', async () => {
    let text = '';
    const io = { stdin: async () => Buffer.alloc(0), out: (t: string) => void (text += t), err: (t: string) => void (text += t) };
    const main = (argv: string[]) => dispatch(root, argv, ['fazt'], io);
    {
      assert.equal(await main(['pulse', '--hub', h.url]), 0);
      assert.match(text, /^Pulse: healthy/);
      assert.match(text, /hallway/);
      text = '';
      assert.equal(await main(['pulse', 'history', '--hub', h.url, '--since', '2h', '--json']), 0);
      const hist = JSON.parse(text) as { beats: unknown[]; changes: { from: string; to: string; check: string }[] };
      assert.equal(hist.beats.length, 6);
      assert.deepEqual(
        hist.changes.map((c) => c.to),
        ['critical', 'healthy'],
        JSON.stringify(hist.changes.map((c) => [c.check, c.from, c.to])),
      );
      text = '';
      assert.equal(await main(['pulse', '--data', h.dir, '--json']), 0);
      assert.equal((JSON.parse(text) as { status: string }).status, 'healthy');
    }
  });

  it('a forked chain refused is critical for that node', async () => {
    const twin = new TestNode(91); // the same key, a chain from seq 1 again: a node that forgot its chain
    twin.record('system.boot', 'node', { firmware: '0.1.0', board: 'esp32-devkitc', sensors: 1 }, now);
    const r = await post(`${h.url}/v1/uplink`, cbor(twin.batch(1, 1)));
    assert.equal(r.status, 409);
    pulse.beat();
    const forks = changes().filter((e) => (e.data as ValueMap).subject === lab.id);
    assert.deepEqual(
      forks.map((e) => [e.type, (e.data as ValueMap).check]),
      [['pulse.critical', 'node.forks']],
    );
  });

  it('a node that keeps its own clock (an RTC) 5 minutes fast is said to be 5 minutes off, once', async () => {
    const shed = new TestNode(93);
    h.hub.cartridge.addNode(shed.identity.publicKey, { name: 'shed', board: 'esp32-devkitc' });
    for (let k = 0; k < 3; k++) {
      await run(now + MIN, [lab, hall]);
      shed.record('sensor.reading', 'bme280', { name: 'temperature', unit: 'Cel', value: 9, quality: 'good', time: now + 5 * MIN }, now + 5 * MIN);
      assert.equal(await flush(shed), 200);
      pulse.beat();
    }
    const clock = changes().filter((e) => (e.data as ValueMap).subject === shed.id && (e.data as ValueMap).check === 'node.clock');
    assert.deepEqual(
      clock.map((e) => e.type),
      ['pulse.degraded'],
    );
    assert.match(String((clock[0].data as ValueMap).text), /^shed's clock is 5 minutes off the hub's\.$/);
  });

  it('a full store refuses batches with 507, and the hub says so once it can store again', async () => {
    const db = h.hub.cartridge.db;
    const pages = db.pragma('page_count', { simple: true }) as number;
    db.pragma(`max_page_count = ${pages}`);
    let status = 200;
    for (let k = 0; k < 50 && status === 200; k++) {
      now += 10_000;
      lab.record('sensor.reading', 'bme280', { name: 'temperature', unit: 'Cel', value: 21, quality: 'good', time: now }, now);
      const bulk = lab.entries.length;
      for (let i = 0; i < 40; i++) lab.record('sensor.reading', 'bme280', { name: 'humidity', unit: '%RH', value: 40 + i, quality: 'good', time: now }, now);
      status = await flush(lab);
      assert.ok(lab.entries.length > bulk);
    }
    assert.equal(status, 507, 'SQLite said the store is full');
    assert.throws(() => pulse.beat(), /full/);
    db.pragma('max_page_count = 1073741823');
    assert.equal(await flush(lab), 200, 'the node’s batch is stored once there is room');
    pulse.beat();
    const store = changes().filter((e) => (e.data as ValueMap).check === 'hub.store-errors');
    assert.deepEqual(
      store.map((e) => [e.type, (e.data as ValueMap).check]),
      [['pulse.critical', 'hub.store-errors']],
    );
  });

  it('a retired node is no longer judged: silent after retirement, it raises nothing and is not listed', async () => {
    await run(now + MIN, [lab, hall]);
    pulse.beat();
    const before = changes().filter((e) => (e.data as ValueMap).subject === hall.id).length;
    assert.equal((await post(`${h.url}/v1/nodes/retire`, JSON.stringify({ node: hall.id }), 'application/json')).status, 200);
    for (let k = 0; k < 4; k++) {
      await run(now + 5 * MIN, [lab]);
      pulse.beat();
    }
    assert.equal(changes().filter((e) => (e.data as ValueMap).subject === hall.id).length, before, 'no verdict on the retired node');
    const r = await get(`${h.url}/v1/pulse`);
    assert.deepEqual((r.body.nodes as { name: string }[]).map((n) => n.name).sort(), ['lab', 'shed']);
  });
});
