import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { encodeCbor } from '../../firmware/codec/cbor-encode.js';
import { toJsonValue, type JsonValue } from '../../firmware/codec/json-form.js';
import { idFromHash } from '../../firmware/event/envelope.js';
import { verifyChain } from '../../firmware/event/verify-chain.js';
import { identityFromSecretKey } from '../../firmware/identity/node-id.js';
import type { Board } from '../../hal/board/board.js';
import { getBoard } from '../../host/boards/board-registry.js';
import { nodeCrypto } from '../../host/crypto/node-crypto.js';
import { BatteryModel } from '../../sim/models/battery-model.js';
import { Bme280Model } from '../../sim/models/bme280-model.js';
import { SleepingNode } from '../../sim/node/sleeping-node.js';
import { VirtualClock } from '../../sim/world/virtual-clock.js';
import { ScriptedHub } from '../downlink/scripted-hub.js';

const T0 = Date.UTC(2026, 0, 1);
const PERIOD = 5 * 60_000;
const RELAY = 25;
const WAKE_PIN = 33;

/** A DevKitC with a LiPo on a 2:1 divider into GPIO 35 (ADC1_CH7), as battery boards wire it. */
const board: Board = {
  ...getBoard('esp32-devkitc'),
  battery: { pin: 35, divider: 2, adcFullScaleVolts: 3.1, emptyVolts: 3.3, fullVolts: 4.2 },
};

function rig(seed: number, opts: { health?: number; wakePin?: boolean } = {}) {
  const clock = new VirtualClock(T0);
  const identity = identityFromSecretKey(new Uint8Array(32).fill(seed), nodeCrypto);
  const hub = new ScriptedHub(() => Math.floor(clock.now()), identity.publicKey);
  let reachable = true;
  // Unreachable: the batch never gets to the hub (a lost answer would be another case: the hub stored it).
  // Like the real hub, it stops sending a command once the node's evidence of it is stored (the node's memory of
  // the last command seq does not survive deep sleep without the chain-state hook's persistence).
  const uplink = async (hex: string) => {
    if (!reachable) return { error: 'connect EHOSTUNREACH 127.0.0.1:1' };
    const reply = await hub.uplink(hex);
    const done = new Set(hub.stored.filter((e) => e.type.startsWith('effect.')).map((e) => (e.data as { command: string }).command));
    hub.commands = hub.commands.filter((c) => !done.has(c.id));
    return reply;
  };
  // A small cell, so a few simulated hours show in the percentage.
  const battery = new BatteryModel({ capacityMah: 30, charge: 0.9, divider: 2 });
  const config: JsonValue = {
    board: 'esp32-devkitc',
    secretKey: toJsonValue(identity.secretKey),
    hub: { url: 'http://127.0.0.1:1', publicKey: toJsonValue(hub.key.publicKey) },
    sensors: [
      { name: 'bme280', driver: 'bme280', i2c: { address: 0x76 }, intervalMs: 60_000 },
      { name: 'relay', driver: 'digital-output', pin: RELAY, intervalMs: 3_600_000 },
    ],
    uplink: { batchSize: 16, maxDelayMs: 60_000 },
    buffer: { budgetBytes: 16_384 },
    health: { intervalMs: opts.health ?? 3_600_000 },
    power: opts.wakePin ? { mode: 'deep-sleep', wakeEveryMs: PERIOD, wakePin: WAKE_PIN } : { mode: 'deep-sleep', wakeEveryMs: PERIOD },
  };
  const node = new SleepingNode({
    name: 'battery-node',
    board,
    clock,
    config,
    uplink,
    battery,
    wire: (b) => b.attachI2c(new Bme280Model(0x76, clock)),
  });
  let cmdSeq = 0;
  const command = (op: 'on' | 'off') => ({
    id: idFromHash(nodeCrypto.sha256(encodeCbor(['sleep-command', seed, ++cmdSeq]))),
    seq: cmdSeq,
    action: { output: 'relay', op },
    notAfter: Math.floor(clock.now()) + 3_600_000,
  });
  return { clock, hub, node, battery, identity, command, offline: (v: boolean) => void (reachable = !v) };
}

describe('a battery node in deep sleep, in the simulator', () => {
  it('wakes every period in simulated time, sends each wake, applies commands from the ack, and its chain verifies', async () => {
    const r = rig(0x31);
    const wakes = [];
    for (let i = 0; i < 12; i++) {
      if (i === 3) r.hub.commands = [r.command('on')];
      wakes.push(await r.node.wake());
      // Simulated time only: each wake starts exactly one period after the last.
      assert.equal(r.clock.now(), T0 + (i + 1) * PERIOD);
    }
    assert.equal(wakes[0].cause, 'power-on');
    assert.ok(wakes.slice(1).every((w) => w.cause === 'timer'));
    assert.ok(
      wakes.every((w) => w.summary.reason === 'sent' && w.summary.saved === 0),
      'every wake emptied its buffer',
    );
    assert.ok(
      wakes.every((w) => w.timersLeft === 0),
      'no timer of the node runs while it sleeps',
    );
    const readings = r.hub.events('sensor.reading').filter((e) => e.source.endsWith('/bme280'));
    // One sample a wake: its three channels (temperature, humidity, pressure) at the wake's time.
    assert.equal(readings.length, 36);
    assert.deepStrictEqual([...new Set(readings.map((e) => Math.floor((e.time - T0) / PERIOD)))], [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]);
    const applied = r.hub.events('effect.applied');
    assert.equal(applied.length, 1, 'applied once');
    assert.equal((applied[0].data as { seq: number }).seq, 1);
    assert.equal(wakes[3].events.filter((e) => e.type === 'effect.applied').length, 1, 'in the wake whose ack carried it');
    // The hub stored one gapless chain across twelve boots.
    const v = verifyChain(r.identity.id, r.hub.stored, nodeCrypto);
    assert.equal(v.fresh.length, r.hub.stored.length);
    assert.equal(r.hub.stored[0].seq, 1);
    const boots = r.hub.events('system.boot');
    assert.equal(boots.length, 12);
    // The boot declares the node sleeps (and that it does not poll): its hub can tell a sleeping node from a lost one.
    const declared = (boots[0].data as { config: { power: unknown; uplink: { downlinkPollMs: number } } }).config;
    assert.deepStrictEqual(declared.power, { mode: 'deep-sleep', wakeEveryMs: PERIOD });
    assert.equal(declared.uplink.downlinkPollMs, 0);
  });

  it('keeps unsent entries through sleeps while the hub is unreachable, and delivers them in order after', async () => {
    const r = rig(0x32);
    await r.node.wake();
    r.offline(true);
    const away = [];
    for (let i = 0; i < 4; i++) away.push(await r.node.wake());
    assert.ok(away.every((w) => w.summary.reason === 'unreachable'));
    assert.deepStrictEqual(
      away.map((w) => w.summary.saved),
      away.map((w) => w.summary.restored + w.events.length),
      'each wake kept what it restored plus what it recorded',
    );
    assert.ok(away[3].summary.saved > away[0].summary.saved);
    const storedBefore = r.hub.stored.length;
    r.offline(false);
    const back = await r.node.wake();
    assert.equal(back.summary.restored, away[3].summary.saved);
    assert.equal(back.summary.reason, 'sent');
    assert.equal(back.summary.saved, 0);
    const seqs = r.hub.stored.map((e) => e.seq);
    assert.deepStrictEqual(
      seqs,
      seqs.map((_, i) => i + 1),
      'every seq arrived, in order, none lost',
    );
    assert.ok(r.hub.stored.length > storedBefore);
    assert.equal(r.hub.events('sensor.reading').filter((e) => e.source.endsWith('/bme280')).length, 6 * 3);
    verifyChain(r.identity.id, r.hub.stored, nodeCrypto);
  });

  it('reports the draining battery in system.health, and wakes early on its wake pin', async () => {
    const r = rig(0x33, { health: PERIOD, wakePin: true });
    const first = await r.node.wake();
    const h1 = first.events.find((e) => e.type === 'system.health');
    assert.ok(h1, 'health on power-on');
    const b1 = (h1.data as { battery: { volts: number; percent: number } }).battery;
    assert.ok(Math.abs(b1.volts - r.battery.cellVolts()) < 0.02, `${b1.volts} V read, cell at ${r.battery.cellVolts()} V`);
    for (let i = 0; i < 20; i++) await r.node.wake();
    const last = r.hub.events('system.health').at(-1);
    assert.ok(last);
    const b2 = (last.data as { battery: { volts: number; percent: number } }).battery;
    assert.ok(b2.percent < b1.percent && b2.volts < b1.volts, `battery drains: ${JSON.stringify(b1)} then ${JSON.stringify(b2)}`);
    // A rising edge on the wake pin ends the sleep early.
    const at = r.clock.now();
    r.clock.setTimeout(() => r.node.sim.pins.setLevel(WAKE_PIN, 1), 60_000);
    const w = await r.node.wake();
    assert.equal(w.next, 'pin');
    assert.ok(w.sleptMs < PERIOD);
    assert.equal(r.clock.now(), at + 60_000);
    const after = await r.node.wake();
    assert.equal(after.cause, 'pin');
  });
});
