import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { toJsonValue, type JsonValue } from '../../firmware/codec/json-form.js';
import { toHex } from '../../firmware/codec/text-encodings.js';
import type { ValueMap } from '../../firmware/codec/value.js';
import { type EventEntry, sourceNode } from '../../firmware/event/envelope.js';
import { identityFromSecretKey } from '../../firmware/identity/node-id.js';
import type { SimHealthModel } from '../../hal/sim/sim-health.js';
import { getBoard } from '../../host/boards/board-registry.js';
import { nodeCrypto } from '../../host/crypto/node-crypto.js';
import { Hub } from '../../host/hub/hub.js';
import type { PulseService } from '../../host/pulse/pulse-service.js';
import { readWholeBeat } from '../../host/pulse/stored-beats.js';
import { Bme280Model } from '../../sim/models/bme280-model.js';
import { httpUplink, XsNode } from '../../sim/node/xs-node.js';
import { VirtualClock } from '../../sim/world/virtual-clock.js';
import { asOwner, get, post, tempDir } from '../hub/helpers.js';

/**
 * Pulse's proof (issue 12): a day of three XS nodes and a real hub (HTTP,
 * SQLite, rules) on one simulated clock, with trouble scripted at distinct
 * hours. The hub beats every 15 simulated minutes, called by the test (96
 * beats). The exact list of pulse.<status> events on the hub's chain is
 * the proof that each trouble is said once, in order, with its severity and
 * its words, and nothing else is; a rule turns each critical one into a
 * notification.
 *
 * - kitchen: its BME280 unplugged 02:00–02:30; a slow heap leak all day, until
 *   the owner restarts it at 22:00 (the check's fix);
 * - garage: silent 06:00–06:20 (its hub unreachable: it buffers); its own
 *   clock leaps 5 minutes ahead at 16:07;
 * - attic: restarted every 2 minutes 10:00–10:18 (a reboot loop), its chain
 *   continuing from the hub's head each time;
 * - the hub: its store full 20:00–20:35 (SQLite's own SQLITE_FULL, by a page
 *   limit on its connection): uplinks are answered 507, two beats cannot be
 *   stored and their changes are said with the next one that can.
 *
 * Co-simulation: each node keeps its own clock; before any node's uplink the
 * others are run up to its moment, so the hub's clock (the world's time)
 * never runs backwards. A node whose clock leapt is `skew` ahead of the world.
 *
 * Cost: the XS engine signs every batch and verifies every signed ack
 * (about 3.6 M compute steps a batch) and chains every reading, so the nodes
 * read their BME280 every 5 minutes and send a batch every 5 minutes (the
 * whole day then runs in about 40 s on a shared 2-core VM; every minute took
 * 165 s). The checks are the shipped defaults but hub.event-loop: the hub
 * shares its process with the simulator here, so its event loop's delay
 * measures the test harness in wall time, not the hub.
 */
const T0 = Date.UTC(2026, 5, 2); // 00:00 UTC
const MIN = 60_000;
const HOUR = 60 * MIN;
const BEAT = 15 * MIN;
const READ_MS = 5 * MIN;
const BATCH_MS = 5 * MIN;
const STEP_MS = 5 * MIN;

interface Rig {
  name: string;
  seed: number;
  id: string;
  health: SimHealthModel;
  node?: XsNode;
  clock: VirtualClock;
  /** The node's own clock − the world's. */
  skew: number;
  running: boolean;
  offline: boolean;
  bme?: Bme280Model;
  /** What the node recorded (its summaries), across restarts. */
  events: { seq: number; time: number; type: string; data: JsonValue }[];
  /** Each uplink: the world's time and the HTTP status, or 0 when the hub was unreachable. */
  uplinks: [at: number, status: number][];
}

const tmp = tempDir('fazt-e2e-pulse-');
let hubNow = T0;
let hub: Hub;
let pulse: PulseService;
let url = '';
const rigs: Rig[] = [];
const send = httpUplink(() => url);
const worldOf = (r: Rig) => r.clock.now() - r.skew;

/** Runs a node to the world's `until` (not while it is already running: it is then at least that far). */
async function advance(r: Rig, until: number): Promise<void> {
  if (r.running || !r.node || worldOf(r) >= until) return;
  r.running = true;
  try {
    const { status } = await r.node.run(until + r.skew);
    r.events.push(...status.events);
  } finally {
    r.running = false;
  }
}

/** Starts (or restarts) a node's firmware in XS on a fresh board; its chain continues from the hub's head. */
async function boot(r: Rig): Promise<void> {
  const identity = identityFromSecretKey(new Uint8Array(32).fill(r.seed), nodeCrypto);
  const head = hub.cartridge.head(r.id);
  r.clock = new VirtualClock(hubNow);
  r.skew = 0;
  r.node = await XsNode.start({
    name: r.name,
    board: getBoard('esp32-devkitc'),
    clock: r.clock,
    config: {
      board: 'esp32-devkitc',
      secretKey: toJsonValue(identity.secretKey),
      hub: { url, publicKey: toJsonValue(hub.publicKey) },
      sensors: [{ name: 'bme280', driver: 'bme280', i2c: { address: 0x76 }, intervalMs: READ_MS }],
      uplink: { batchSize: 64, maxDelayMs: BATCH_MS },
      buffer: { budgetBytes: 262_144 },
      health: { intervalMs: BEAT },
    },
    uplink: async (hex) => {
      const t = worldOf(r);
      for (const o of rigs) if (o !== r) await advance(o, t);
      hubNow = t;
      if (r.offline) {
        r.uplinks.push([t, 0]);
        return { error: `cannot reach ${url}/v1/uplink: ECONNREFUSED` };
      }
      const reply = await send(hex);
      r.uplinks.push([t, 'status' in reply ? reply.status : 0]);
      return reply;
    },
    collect: true,
    head: head && head.seq > 0 ? { seq: head.seq, hash: toHex(head.hash) } : undefined,
    wire: (b) => {
      r.bme = new Bme280Model(0x76, b.clock);
      b.attachI2c(r.bme);
      b.health.set(r.health);
    },
  });
}

function rig(name: string, seed: number, health: SimHealthModel): Rig {
  const identity = identityFromSecretKey(new Uint8Array(32).fill(seed), nodeCrypto);
  hub.cartridge.addNode(identity.publicKey, { name, board: 'esp32-devkitc' });
  const r: Rig = { name, seed, id: identity.id, health, clock: new VirtualClock(T0), skew: 0, running: false, offline: false, events: [], uplinks: [] };
  rigs.push(r);
  return r;
}

async function restart(r: Rig, health: SimHealthModel): Promise<void> {
  await r.node?.close();
  r.node = undefined;
  r.health = health;
  await boot(r);
}

const own = (): EventEntry[] => [...hub.cartridge.chain(hub.hubLog.id)];
const data = (e: EventEntry) => e.data as ValueMap;
const hm = (t: number) => new Date(t).toISOString().slice(11, 16);
const changes = () => own().filter((e) => e.type.startsWith('pulse.') && e.type !== 'pulse.beat');

const base = { heapBytes: 160_000, largestBlockShare: 0.5, rssi: -61, resetReason: 'power-on' };
let kitchen: Rig;
let garage: Rig;
let attic: Rig;
/** Beats that could not be stored, by the world's time. */
const failedBeats: [at: number, message: string][] = [];
let wallMs = 0;

before(async () => {
  const wall = performance.now();
  hub = new Hub({
    dataDir: tmp.dir,
    port: 0,
    clock: () => hubNow,
    rules: true,
    percepts: false,
    pulse: { everyMs: 0, checks: { checks: [{ id: 'hub.event-loop', enabled: false }] } },
    log: () => undefined,
  });
  url = asOwner(hub, await hub.start()).url;
  pulse = hub.pulse as PulseService;
  // 5.6 kB an hour from 160 kB: past a quarter of the heap at 07:20, past half at 14:25 (the first health, at 00:15, is the baseline).
  kitchen = rig('kitchen', 101, { ...base, leakBytesPerHour: 5600 });
  garage = rig('garage', 102, base);
  attic = rig('attic', 103, base);
  for (const r of rigs) await boot(r);
  const rule = {
    id: 'pulse-critical',
    name: 'Tell me when Pulse says critical',
    triggers: [{ kind: 'event', type: 'pulse.critical' }],
    actions: [{ kind: 'notify', message: 'Pulse: critical', level: 'alert' }],
  };
  const added = await post(`${url}/v1/rules`, JSON.stringify(rule), 'application/json');
  assert.equal(added.status, 201, JSON.stringify(added.body));

  const script: [at: number, act: () => unknown][] = [
    [2 * HOUR, () => kitchen.bme?.unplug()],
    [2 * HOUR + 30 * MIN, () => kitchen.bme?.replug()],
    [6 * HOUR, () => (garage.offline = true)],
    [6 * HOUR + 20 * MIN, () => (garage.offline = false)],
    ...Array.from({ length: 10 }, (_, k): [number, () => unknown] => [10 * HOUR + k * 2 * MIN, () => restart(attic, { ...base, resetReason: 'panic' })]),
    [
      16 * HOUR + 7 * MIN,
      async () => {
        await garage.node?.stepClock(STEP_MS);
        garage.skew += STEP_MS;
      },
    ],
    [
      20 * HOUR,
      () => {
        // Full as a disk is: VACUUM packs every page (rows of ~100 B would otherwise fit in the slack
        // a page keeps), then the file may not grow.
        hub.cartridge.db.exec('VACUUM');
        hub.cartridge.db.pragma(`max_page_count = ${hub.cartridge.db.pragma('page_count', { simple: true }) as number}`);
      },
    ],
    [20 * HOUR + 35 * MIN, () => hub.cartridge.db.pragma('max_page_count = 1073741823')],
    [22 * HOUR, () => restart(kitchen, { ...base, resetReason: 'software', leakBytesPerHour: 5600 })],
  ];
  // The world goes from one beat or scripted moment to the next; a beat comes before what is scripted at its moment.
  let k = 0;
  for (let beatAt = BEAT; beatAt <= 24 * HOUR; ) {
    const at = Math.min(beatAt, script[k]?.[0] ?? Number.POSITIVE_INFINITY);
    for (const r of rigs) await advance(r, T0 + at);
    hubNow = T0 + at;
    if (at === beatAt) {
      try {
        pulse.beat();
      } catch (e) {
        failedBeats.push([hubNow, (e as Error).message]);
      }
      beatAt += BEAT;
    }
    while (script[k]?.[0] === at) await script[k++][1]();
  }
  wallMs = performance.now() - wall;
  console.log(`a simulated day in ${(wallMs / 1000).toFixed(1)} s of wall time`);
});
after(async () => {
  for (const r of rigs) await r.node?.close();
  await hub?.stop();
  tmp.cleanup();
});

describe('a day with scripted trouble, three XS nodes and a real hub: what Pulse says', () => {
  it('the transitions, in chain order, are exactly the expected ones: each trouble once, with its severity', () => {
    const got = changes().map((e) => {
      const d = data(e);
      assert.equal(e.type, `pulse.${d.to}`, 'the event type is the status changed to');
      return `${hm(d.at as number)} ${d.check} ${d.name} ${d.from}→${d.to}`;
    });
    const nodes = ['attic', 'garage', 'kitchen'];
    const known = (at: string, checks: string[]) => checks.flatMap((c) => nodes.map((n) => `${at} ${c} ${n} unknown→healthy`));
    // Changes of one beat are listed by status, check and name.
    assert.deepEqual(got, [
      // A node's health figures come with its first system.health (15 minutes after boot), its usual interval after 8 batches.
      ...known('00:30', ['node.buffer', 'node.heap-loss', 'node.min-heap', 'node.signal']),
      ...known('00:45', ['node.silent']),
      // The BME280 fails its 02:00 read; back at 02:30, after the 02:30 beat.
      '02:15 node.sensors kitchen healthy→degraded',
      '02:45 node.sensors kitchen degraded→healthy',
      // 20 minutes since its last batch, 4 of its usual 5: degraded (> 3), not critical (> 10).
      '06:15 node.silent garage healthy→degraded',
      '06:30 node.silent garage degraded→healthy',
      // Past 25 % in its 07:30 health, judged from the 07:45 beat, pending an hour.
      '08:45 node.heap-loss kitchen healthy→degraded',
      // 8 boots since the 10:00 beat; at 11:15 the hour holds 2 (10:16, 10:18): not a loop any more.
      '10:15 node.reboots attic healthy→critical',
      '11:15 node.reboots attic critical→healthy',
      // Past 50 % in its 14:30 health.
      '15:45 node.heap-loss kitchen degraded→critical',
      // garage's clock leapt 5 min ahead at 16:07: its next batch (on its usual schedule) shows it; the hub's ack sets it back.
      '16:15 node.clock garage healthy→degraded',
      '16:30 node.clock garage degraded→healthy',
      // Judged at 20:15, stored with the 20:45 beat (20:15 and 20:30 could not be); no node is called silent meanwhile.
      '20:15 hub.store-errors the hub healthy→critical',
      '20:15 hub.refused the hub healthy→degraded',
      '21:00 hub.refused the hub degraded→healthy',
      '21:00 hub.store-errors the hub critical→healthy',
      // Restarted at 22:00; its first health since (22:15) is the new baseline.
      '22:30 node.heap-loss kitchen critical→healthy',
    ]);
  });

  it('the texts name the node and say what happened; a change back to healthy says nothing more', () => {
    const texts = changes().map((e) => `${hm(data(e).at as number)} ${data(e).check} ${data(e).to}: ${data(e).text ?? ''}`);
    const said = (prefix: string) => {
      const found = texts.filter((t) => t.startsWith(prefix));
      assert.equal(found.length, 1, `${prefix} once in ${JSON.stringify(texts)}`);
      return found[0].slice(prefix.length);
    };
    assert.equal(said('02:15 node.sensors degraded: '), 'Sensors not ok on kitchen: 1 of 1 (unplugged, degraded or failed).');
    assert.equal(said('06:15 node.silent degraded: '), 'garage has been silent for 20 minutes; it usually reports every 5 minutes.');
    assert.match(said('08:45 node.heap-loss degraded: '), /^kitchen has lost 2\d % of its free heap since it booted \(\d+ kB free now\)\.$/);
    // Its health comes every 15 minutes: no health since the loop began, so the reason of the last reset is not known.
    assert.equal(said('10:15 node.reboots critical: '), 'attic restarted 8 times in the last hour (last reset: unknown).');
    // The hub's estimate is a lower bound: the 5 minutes less the time the batch's newest entry waited to be sent.
    assert.match(said('16:15 node.clock degraded: '), /^garage's clock is [1-5] minutes? off the hub's\.$/);
    assert.match(said('15:45 node.heap-loss critical: '), /^kitchen has lost 5\d % of its free heap since it booted \(\d+ kB free now\)\.$/);
    assert.match(said('20:15 hub.store-errors critical: '), /^The store reported \d+ errors in the last 15 minutes\.$/);
    assert.match(said('20:15 hub.refused degraded: '), /^The hub refused \d+ % of the batches nodes sent since the last beat\.$/);
    for (const e of changes()) {
      const d = data(e);
      if (d.to === 'healthy') assert.equal(d.text, undefined, `${d.check} ${d.name} back to healthy`);
      else assert.ok(typeof d.fix === 'string' && d.fix.length > 0, `${d.check} ${d.name} says how to fix it`);
    }
  });

  it('each critical change fired the rule once: one notification citing it', () => {
    const critical = changes().filter((e) => e.type === 'pulse.critical');
    assert.deepEqual(
      critical.map((e) => `${data(e).check} ${data(e).name}`),
      ['node.reboots attic', 'node.heap-loss kitchen', 'hub.store-errors the hub'],
    );
    const notes = own().filter((e) => e.type === 'effect.notify');
    assert.deepEqual(
      notes.map((e) => data(e).causes),
      critical.map((e) => [e.id]),
    );
    for (const n of notes) assert.deepEqual([data(n).rule, data(n).message, data(n).level], ['pulse-critical', 'Pulse: critical', 'alert']);
  });

  it('what happened on the nodes is what Pulse judged: the sensor, the silence, the reboots', () => {
    const chain = (r: Rig) => [...hub.cartridge.chain(r.id)];
    const states = chain(kitchen)
      .filter((e) => e.type === 'sensor.state' && e.time >= T0 + 2 * HOUR && e.time < T0 + 3 * HOUR)
      .map((e) => data(e).to);
    assert.deepEqual([states[0], states.at(-1)], ['degraded', 'running'], JSON.stringify(states));
    assert.ok(states.includes('unplugged'), 'unplugged after a few faults');
    // garage could not reach its hub from 06:00 to 06:20, then sent its backlog at once.
    const out = garage.uplinks.filter(([t]) => t >= T0 + 6 * HOUR && t < T0 + 6 * HOUR + 20 * MIN);
    assert.ok(out.length > 3 && out.every(([, status]) => status === 0), JSON.stringify(out));
    const back = garage.uplinks.find(([t]) => t >= T0 + 6 * HOUR + 20 * MIN) as [number, number];
    assert.equal(back[1], 200);
    const arrivals = new Map<number, number>();
    for (const r of hub.cartridge.recorded.between(T0 + 6 * HOUR, T0 + 6 * HOUR + 21 * MIN, hub.hubLog.id))
      if (sourceNode(r.entry.source) === garage.id) arrivals.set(r.receivedAt, (arrivals.get(r.receivedAt) ?? 0) + 1);
    assert.deepEqual([...arrivals.keys()], [back[0]], 'nothing stored from garage while it was away, then its backlog in one batch');
    // attic booted 11 times (once at 00:00, ten in the loop), its chain unbroken and never refused.
    const boots = chain(attic).filter((e) => e.type === 'system.boot');
    assert.deepEqual(
      boots.map((e) => hm(e.time)),
      ['00:00', '10:00', '10:02', '10:04', '10:06', '10:08', '10:10', '10:12', '10:14', '10:16', '10:18'],
    );
    chain(attic).forEach((e, i) => assert.equal(e.seq, i + 1));
    assert.ok(attic.uplinks.every(([t, status]) => status === 200 || (t >= T0 + 20 * HOUR && t < T0 + 20 * HOUR + 35 * MIN)));
  });

  it('garage’s clock leapt 5 minutes ahead: its next batch shows it, Pulse says so at the next beat, the hub’s signed ack sets it back', () => {
    const stepAt = T0 + 16 * HOUR + 7 * MIN;
    const around = [...hub.cartridge.recorded.between(stepAt - 5 * MIN, stepAt + 30 * MIN, hub.hubLog.id)].filter(
      (r) => sourceNode(r.entry.source) === garage.id,
    );
    const steps = around.filter((r) => r.entry.type === 'system.clock').map((r) => r.entry);
    assert.equal(steps.length, 1, JSON.stringify(steps.map((e) => e.data)));
    assert.deepEqual([data(steps[0] as EventEntry).stepMs, data(steps[0] as EventEntry).offsetMs], [-STEP_MS, -STEP_MS]);
    assert.ok(
      steps[0].time >= stepAt && steps[0].time < stepAt + BATCH_MS + MIN,
      'recorded at the ack of its first batch after the leap, sent on its usual schedule',
    );
    // What it recorded between the leap and that ack was stamped 5 minutes ahead.
    const ahead = around.filter((r) => r.entry.time > r.receivedAt);
    assert.ok(ahead.length > 0, 'some entries were stamped ahead of the hub');
    for (const r of ahead) {
      assert.ok(r.entry.seq < steps[0].seq, 'only before the step');
      assert.ok(r.entry.time >= stepAt + STEP_MS && r.receivedAt < stepAt + BATCH_MS + MIN, 'by the 5 minutes, in that batch');
    }
    assert.ok(around.filter((r) => r.entry.seq > steps[0].seq).length > 10, 'then on time again: nothing stamped after it reached the hub');
    const beatAt = (at: number) => own().find((e) => e.type === 'pulse.beat' && data(e).at === at) as EventEntry;
    // The stored beat as a restarted hub reads it: its nodes from the figures events it cites.
    const nodesAt = (at: number) => readWholeBeat(hub.cartridge, hub.hubLog.id, data(beatAt(at)))?.nodes as ValueMap;
    const offset = (at: number) => (nodesAt(at)[garage.id] as { figures: Record<string, number> }).figures.clockOffsetMs;
    assert.ok(offset(T0 + 16 * HOUR) < 1000);
    const seen = offset(T0 + 16 * HOUR + 15 * MIN);
    assert.ok(seen > MIN && seen <= STEP_MS, `at 16:15: ${seen} ms (a lower bound: less the wait of the batch's newest entry)`);
    assert.ok(offset(T0 + 16 * HOUR + 30 * MIN) < 1000, 'counted again only from batches after its step');
  });

  it('the full store: uplinks answered 507, two beats not stored, their changes said by the next beat that was', () => {
    const full = (t: number) => t >= T0 + 20 * HOUR && t < T0 + 20 * HOUR + 35 * MIN;
    for (const r of rigs) {
      assert.ok(
        r.uplinks.some(([t, status]) => full(t) && status === 507),
        `${r.name} was answered 507`,
      );
      assert.ok(r.uplinks.every(([t, status]) => status !== 507 || full(t)));
    }
    assert.deepEqual(
      failedBeats.map(([t, message]) => [hm(t), /full/.test(message)]),
      [
        ['20:15', true],
        ['20:30', true],
      ],
    );
    const beats = own().filter((e) => e.type === 'pulse.beat');
    assert.equal(beats.length, 96 - 2);
    const next = beats.find((e) => (data(e).at as number) > T0 + 20 * HOUR + 30 * MIN) as EventEntry;
    assert.equal(hm(data(next).at as number), '20:45');
    for (const e of changes().filter((x) => hm(data(x).at as number) === '20:15')) {
      assert.equal((data(e).causes as string[])[0], next.id, `${data(e).check}: said with the 20:45 beat`);
      assert.ok(e.seq > next.seq);
    }
  });

  it('the last beat says healthy and names the nodes; GET /v1/pulse and /v1/pulse/history say the same', async () => {
    const last = pulse.latest;
    assert.ok(last);
    assert.equal(last.metrics.at, T0 + 24 * HOUR);
    assert.equal(last.judgement.status, 'healthy', JSON.stringify(last.judgement.verdicts.filter((v) => v.status !== 'healthy')));
    assert.match(last.text, /^Everything looks healthy\. All three nodes are reporting: attic, garage and kitchen\. /);
    assert.match(last.text, / The kitchen bme280 was unplugged at 02:00 on 2 Jun and came back at 02:30 on 2 Jun\. /);
    const now = await get(`${url}/v1/pulse`);
    assert.equal(now.status, 200);
    assert.deepEqual([now.body.status, now.body.beat, now.body.text], ['healthy', last.id, last.text]);
    const history = await get(`${url}/v1/pulse/history?since=${T0}`);
    assert.equal(history.status, 200);
    const listed = history.body.changes as { id: string; check: string; name: string; from: string; to: string }[];
    assert.deepEqual(
      listed.map((c) => [c.id, c.check, c.name, c.from, c.to]),
      changes().map((e) => [e.id, data(e).check, data(e).name, data(e).from, data(e).to]),
    );
    assert.equal((history.body.beats as unknown[]).length, 96 - 2);
    assert.equal(history.body.truncated, false);
  });
});
