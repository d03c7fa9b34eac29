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
import type { Command } from '../../host/store/commands.js';
import { ramp, sum } from '../../sim/environment/signals.js';
import { Bme280Model } from '../../sim/models/bme280-model.js';
import { httpDownlink, httpUplink, XsNode } from '../../sim/node/xs-node.js';
import type { UplinkSender } from '../../sim/xs/bridge-host.js';
import type { SimBoard } from '../../sim/world/sim-board.js';
import { VirtualClock } from '../../sim/world/virtual-clock.js';
import { asOwner, get, post, tempDir } from '../hub/helpers.js';

/**
 * The loop end to end, firmware in XS: node A ("lab") reads a BME280
 * whose temperature ramps up past 26 °C, holds, and falls below 25 °C; node B
 * ("desk") drives a relay on GPIO 4. A real hub (HTTP, SQLite, rules and
 * percepts on) runs "above 26 °C for 5 min → relay on; below 25 °C → off",
 * added over POST /v1/rules.
 *
 * "Proven" (README, Rules and effects): the window opens at the sample time of the
 * reading that entered the zone and is proven when the hub stores a later
 * entry of A's own chain stamped at or after start + 5 min (no seq missing).
 * The moment of proof is that entry's received_at. The wall clock passing
 * the due time proves nothing.
 *
 * The two nodes keep one simulated time: before each of A's uplinks B is run
 * up to A's time (a conservative co-simulation), so the hub's clock (the
 * clock of the node it is talking to) never runs backwards and B cannot see
 * a command before the moment it was queued.
 */
const T0 = Date.UTC(2026, 4, 1);
const MIN = 60_000;
const PIN = 4;
const POLL_MS = 10_000;
const READ_MS = 10_000;
// 25.5 °C (neither zone), up to 28 °C over minutes 2–6 (above 26 from minute 2.8), down to 24 °C over 14–18 (below 25 from 17).
const temperature = sum([ramp(25.5, 28, T0 + 2 * MIN, 4 * MIN), ramp(0, -4, T0 + 14 * MIN, 4 * MIN)]);

const rule = {
  id: 'relay-when-hot',
  name: 'Relay on when the lab is hot',
  triggers: [
    { kind: 'numeric', id: 'hot', series: { node: 'lab', component: 'bme280', name: 'temperature' }, above: 26, hysteresis: 1, for: '5m' },
    { kind: 'numeric', id: 'cool', series: { node: 'lab', component: 'bme280', name: 'temperature' }, below: 25 },
  ],
  actions: [
    { kind: 'output', if: { kind: 'trigger', ids: ['hot'] }, node: 'desk', output: 'relay', op: 'on' },
    { kind: 'output', if: { kind: 'trigger', ids: ['cool'] }, node: 'desk', output: 'relay', op: 'off' },
  ],
};

const tmp = tempDir('fazt-e2e-rule-');
let world = new VirtualClock(T0);
let hub: Hub;
let url = '';

interface Rig {
  id: string;
  node: XsNode;
  clock: VirtualClock;
  events: { seq: number; time: number; type: string; data: JsonValue }[];
  board: () => SimBoard;
}

async function startNode(name: string, seed: number, sensors: JsonValue[], wire: (b: SimBoard) => void, uplink: UplinkSender): Promise<Rig> {
  const identity = identityFromSecretKey(new Uint8Array(32).fill(seed), nodeCrypto);
  hub.cartridge.addNode(identity.publicKey, { name, board: 'esp32-devkitc' });
  const clock = new VirtualClock(T0);
  world = clock; // the node sends its first batch as it boots
  let board: SimBoard | undefined;
  const node = await XsNode.start({
    name,
    board: getBoard('esp32-devkitc'),
    clock,
    config: {
      board: 'esp32-devkitc',
      secretKey: toJsonValue(identity.secretKey),
      hub: { url, publicKey: toJsonValue(hub.publicKey) },
      sensors,
      uplink: { batchSize: 16, maxDelayMs: 3 * READ_MS, downlinkPollMs: POLL_MS },
      buffer: { budgetBytes: 262_144 },
    },
    uplink,
    downlink: httpDownlink(() => url),
    collect: true,
    wire: (b) => {
      board = b;
      wire(b);
    },
  });
  return { id: identity.id, node, clock, events: [], board: () => board as SimBoard };
}

let a: Rig;
let b: Rig;

/** Runs a node to `until` with the hub reading its clock meanwhile. */
async function advance(r: Rig, until: number): Promise<void> {
  if (r.clock.now() >= until) return;
  const prev = world;
  world = r.clock;
  try {
    const { status } = await r.node.run(until);
    r.events.push(...status.events);
  } finally {
    world = prev;
  }
}

/** Both nodes to `until`, in steps; B is also brought up to A's time before each of A's uplinks (see aUplink). */
async function runBoth(until: number, step = MIN): Promise<void> {
  for (let t = Math.min(until, Math.floor(a.clock.now() / step) * step + step); ; t = Math.min(until, t + step)) {
    await advance(a, t);
    await advance(b, t);
    if (t >= until) return;
  }
}

const send = httpUplink(() => url);
const aUplink: UplinkSender = async (hex) => {
  if (a) {
    await advance(b, a.clock.now());
    world = a.clock;
  }
  return send(hex);
};

const stored = (id: string): EventEntry[] => [...hub.cartridge.chain(id)];
const own = () => stored(hub.hubLog.id);
const data = (e: EventEntry) => e.data as ValueMap;
const receivedAt = (id: string): number => {
  for (const r of hub.cartridge.recorded.between(0, Number.MAX_SAFE_INTEGER, hub.hubLog.id)) if (r.entry.id === id) return r.receivedAt;
  throw new Error(`${id} is not stored`);
};
const temps = () => stored(a.id).filter((e) => e.type === 'sensor.reading' && data(e).name === 'temperature');
const pin = () => b.board().pins.driven(PIN);

before(async () => {
  hub = new Hub({ dataDir: tmp.dir, port: 0, clock: () => Math.floor(world.now()), rules: true, percepts: true, log: () => undefined });
  url = asOwner(hub, await hub.start()).url;
  b = await startNode('desk', 81, [{ name: 'relay', driver: 'digital-output', pin: PIN, intervalMs: 3_600_000 }], () => undefined, send);
  a = await startNode(
    'lab',
    82,
    [{ name: 'bme280', driver: 'bme280', i2c: { address: 0x76 }, intervalMs: READ_MS }],
    (board) => {
      const m = new Bme280Model(0x76, board.clock);
      m.setSignal('temperature', temperature);
      board.attachI2c(m);
    },
    aUplink,
  );
});
after(async () => {
  for (const r of [a, b]) await r?.node.close();
  await hub.stop();
  tmp.cleanup();
});

describe('a temperature ramp on one XS node switches a relay on another through a rule on the hub', () => {
  let proof: EventEntry;
  let provenAt = 0;

  it('the rule, added over POST /v1/rules, fires when A’s chain proves five minutes above 26 °C, citing the readings', async () => {
    await runBoth(T0 + MIN);
    const added = await post(`${url}/v1/rules`, JSON.stringify(rule), 'application/json');
    assert.equal(added.status, 201, JSON.stringify(added.body));
    await runBoth(T0 + 12 * MIN);

    const ts = temps();
    const enter = ts.find((e) => (data(e).value as number) > 26) as EventEntry;
    assert.ok(enter, 'A read above 26 °C');
    assert.ok(enter.time > T0 + 2 * MIN && enter.time < T0 + 3 * MIN + READ_MS, new Date(enter.time).toISOString());
    const due = enter.time + 5 * MIN;
    proof = stored(a.id).find((e) => e.seq > enter.seq && e.time >= due) as EventEntry;
    assert.ok(proof, 'a later entry of A stamped at or after start + 5 min is stored');
    provenAt = receivedAt(proof.id);
    const between = ts.filter((e) => e.seq >= enter.seq && e.seq <= proof.seq && e.time < due);
    assert.ok(
      between.every((e) => (data(e).value as number) > 25),
      'the zone held through the window',
    );

    const fired = own().filter((e) => e.type === 'system.rule.fired');
    assert.equal(fired.length, 1, 'fired once, for the hot trigger only');
    const f = data(fired[0]);
    assert.deepEqual([f.rule, f.trigger, f.outcome, f.at], ['relay-when-hot', 'hot', 'fired', provenAt], 'fired at the moment of proof');
    const causes = f.causes as string[];
    assert.equal(causes[0], enter.id, 'the reading that opened the window');
    assert.equal(causes.at(-1), proof.id, 'the entry that proved it');
    const aIds = new Set(stored(a.id).map((e) => e.id));
    assert.ok(
      causes.every((c) => aIds.has(c)),
      'every cause is an entry of A’s chain',
    );

    const requested = own().filter((e) => e.type === 'effect.requested');
    assert.equal(requested.length, 1);
    const r = data(requested[0]);
    assert.deepEqual(r.causes, causes);
    assert.deepEqual([r.rule, r.node, r.action], ['relay-when-hot', b.id, { output: 'relay', op: 'on' }]);
    const cmd = hub.cartridge.commands.get(r.command as string) as Command;
    assert.ok(cmd, 'effect.requested names the command it queued');
    assert.deepEqual([cmd.node, cmd.cause], [b.id, requested[0].id]);
  });

  it('B’s relay goes high within one downlink poll of the proof; its signed effect.applied settles the command', async () => {
    assert.equal(pin(), 1);
    const applied = b.events.filter((e) => e.type === 'effect.applied');
    assert.equal(applied.length, 1);
    const at = applied[0].time;
    assert.ok(at >= provenAt && at - provenAt <= POLL_MS, `applied ${at - provenAt} ms after the proof (downlinkPollMs ${POLL_MS})`);
    const onHub = stored(b.id).filter((e) => e.type === 'effect.applied');
    assert.equal(onHub.length, 1, 'the node-signed effect.applied reached the hub');
    const cmdId = data(onHub[0]).command as string;
    assert.deepEqual(data(onHub[0]), { command: cmdId, seq: 1, output: 'relay', op: 'on', value: true });
    const listed = await get(`${url}/v1/effects?node=${b.id}`);
    assert.equal(listed.status, 200);
    const effects = listed.body.effects as Command[];
    assert.deepEqual(
      effects.map((c) => [c.id, c.state, c.result]),
      [[cmdId, 'applied', onHub[0].id]],
    );
    checkLinks(b.id, stored(b.id), nodeCrypto);
  });

  it('percepts of A’s temperature cite A’s readings', () => {
    const byId = new Map(stored(a.id).map((e) => [e.id, e]));
    const levels = own().filter((e) => e.type === 'percept.level' && data(e).node === a.id && data(e).name === 'temperature');
    assert.ok(levels.length >= 3, `${levels.length} level percepts`);
    for (const p of levels) {
      const [cause] = data(p).causes as string[];
      const reading = byId.get(cause);
      assert.ok(reading && reading.type === 'sensor.reading', `percept ${p.id} cites a stored reading`);
      assert.equal(data(p).value, data(reading).value);
    }
    const trends = own().filter((e) => e.type === 'percept.trend' && data(e).node === a.id && data(e).name === 'temperature');
    assert.ok(
      trends.some((p) => data(p).direction === 'rising'),
      `a rising trend: ${JSON.stringify(trends.map((p) => p.data))}`,
    );
    for (const p of trends) assert.ok((data(p).causes as string[]).every((c) => byId.get(c)?.type === 'sensor.reading'));
  });

  it('the ramp goes down: below 25 °C the rule fires its cool trigger and the relay goes low within one poll', async () => {
    await runBoth(T0 + 20 * MIN);
    const below = temps().find((e) => (data(e).value as number) < 25) as EventEntry;
    assert.ok(below && below.time > T0 + 16 * MIN, 'A read below 25 °C');
    const fired = own().filter((e) => e.type === 'system.rule.fired');
    assert.deepEqual(
      fired.map((e) => data(e).trigger),
      ['hot', 'cool'],
    );
    const at = receivedAt(below.id);
    assert.deepEqual([data(fired[1]).at, data(fired[1]).causes], [at, [below.id]]);
    assert.equal(pin(), 0);
    const applied = b.events.filter((e) => e.type === 'effect.applied');
    assert.equal(applied.length, 2);
    assert.deepEqual((applied[1].data as ValueMap).op, 'off');
    assert.ok(applied[1].time >= at && applied[1].time - at <= POLL_MS, `off ${applied[1].time - at} ms after the reading below 25 °C was stored`);
    const listed = (await get(`${url}/v1/effects?node=${b.id}&state=applied`)).body.effects as Command[];
    assert.equal(listed.length, 2);
  });
});
