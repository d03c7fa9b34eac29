import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { EventEntry } from '../../firmware/event/envelope.js';
import type { Reading } from '../../firmware/event/reading.js';
import { checkLinks } from '../../firmware/event/verify-chain.js';
import { nodeCrypto } from '../../host/crypto/node-crypto.js';
import { loadScenario } from '../../sim/scenario/load-scenario.js';
import { ScenarioRun } from '../../sim/scenario/scenario-run.js';

const file = new URL('../../sim/scenarios/c3-room.json', import.meta.url).pathname;
const MIN = 60_000;

function run(): { events: EventEntry[]; sim: ScenarioRun } {
  const events: EventEntry[] = [];
  const sim = new ScenarioRun(loadScenario(file), { onEvent: (_n, e) => void events.push(e) });
  sim.runFor(sim.defaultDurationMs);
  sim.stop();
  return { events, sim };
}

const { events, sim } = run();
const t0 = sim.startMs;
const readings = (sensor: string, name: string) =>
  events
    .filter((e) => e.type === 'sensor.reading' && e.source.endsWith(`/${sensor}`) && (e.data as unknown as Reading).name === name)
    .map((e) => e.data as unknown as Reading);
const states = (sensor: string) =>
  events
    .filter((e) => e.type === 'sensor.state' && e.source.endsWith(`/${sensor}`))
    .map((e) => ({ ...(e.data as { from: string; to: string; reason: string }), at: e.time - t0 }));

describe('a scenario in simulated time', () => {
  it('samples every sensor once a second for the hour, in far less than an hour', () => {
    // 3600 samples less the unplug window (2 min plus the reconnect backoff), two CRC-degraded samples,
    // and the minute of 'slow' (50 ms beyond the SHT4x's bounded wait: those samples time out).
    const temps = readings('sht4x', 'temperature');
    assert.ok(temps.length > 3600 - 200 - 70 && temps.length <= 3600, `${temps.length}`);
    assert.ok(readings('bh1750', 'illuminance').length > 3400);
  });
  it("readings follow the environment signals within the chips' resolution", () => {
    for (const r of readings('sht4x', 'temperature').filter((x) => x.quality === 'good')) {
      const expected = 21 + 3 * Math.sin((2 * Math.PI * (r.time - t0)) / 86_400_000);
      assert.ok(Math.abs((r.value as number) - expected) < 0.02, `${r.value} vs ${expected}`);
    }
    for (const r of readings('bh1750', 'illuminance').filter((x) => x.quality === 'good' && x.time - t0 > 2000)) {
      const expected = (800 * (r.time - t0)) / 3_600_000;
      assert.ok(Math.abs((r.value as number) - expected) <= 1.5, `${r.value} lx vs ${expected}`);
    }
  });
  it('an unplugged sensor goes unplugged, reconnects with backoff and runs again', () => {
    const s = states('sht4x');
    const unplug = s.find((x) => x.to === 'unplugged' && x.at >= 10 * MIN);
    assert.ok(unplug && unplug.at < 10 * MIN + 5000, JSON.stringify(s));
    const back = s.find((x) => x.to === 'running' && x.from === 'reconnecting' && x.at > 12 * MIN);
    assert.ok(back && back.at < 12 * MIN + 70_000, JSON.stringify(s));
    const during = readings('sht4x', 'temperature').filter((r) => r.time - t0 > 10 * MIN + 5000 && r.time - t0 < 12 * MIN);
    assert.equal(during.length, 0, 'nothing while unplugged');
  });
  it('one CRC failure is retried without a state change; repeated failures degrade, then recover', () => {
    const s = states('sht4x');
    assert.ok(!s.some((x) => x.at >= 20 * MIN && x.at < 21 * MIN), 'single CRC error absorbed by the retry');
    const degraded = s.find((x) => x.to === 'degraded' && x.reason === 'crc' && x.at >= 25 * MIN);
    assert.ok(degraded, JSON.stringify(s));
    assert.ok(s.find((x) => x.from === 'degraded' && x.to === 'running' && x.at > degraded.at));
  });
  it('a spike is flagged uncertain and the next value is good again', () => {
    const spike = readings('sht4x', 'temperature').filter((r) => r.time - t0 >= 30 * MIN && r.time - t0 <= 30 * MIN + 1000);
    assert.ok(
      spike.some((r) => r.quality === 'uncertain' && r.flags?.includes('spike')),
      JSON.stringify(spike),
    );
    const after = readings('sht4x', 'temperature').find((r) => r.time - t0 > 30 * MIN + 2000);
    assert.equal(after?.quality, 'good');
  });
  it('a stuck bus takes the sensor out and it comes back after the bus is released', () => {
    const s = states('bh1750');
    const out = s.find((x) => x.reason === 'bus-stuck' && x.to === 'unplugged');
    assert.ok(out && out.at >= 35 * MIN, JSON.stringify(s));
    assert.ok(s.find((x) => x.to === 'running' && x.at > out.at));
  });
  it('a single NACK degrades and recovers on the next sample', () => {
    const s = states('bh1750').filter((x) => x.at >= 45 * MIN && x.at < 46 * MIN);
    assert.deepStrictEqual(
      s.map((x) => `${x.from}>${x.to}:${x.reason}`),
      ['running>degraded:nack', 'degraded>running:recovered'],
    );
  });
  it('a conversion slower than the driver waits times out, and the sensor recovers when it is fast again', () => {
    const s = states('sht4x').filter((x) => x.at >= 50 * MIN);
    assert.ok(
      s.some((x) => x.reason === 'timeout'),
      JSON.stringify(s),
    );
    assert.equal(s[s.length - 1].to, 'running');
  });
  it('PIR motion arrives as readings and driver events', () => {
    const motion = readings('pir', 'motion');
    assert.ok(motion.some((r) => r.value === true) && motion.some((r) => r.value === false));
    const ev = events.filter((e) => e.type === 'sensor.event' && e.source.endsWith('/pir')).map((e) => (e.data as { type: string }).type);
    assert.ok(ev.includes('motion-start') && ev.includes('motion-end'), ev.join(','));
  });
  it("every event is on the board node's verifiable hash chain", () => {
    const node = sim.nodes[0].nodeId;
    assert.ok(events.every((e) => e.source.startsWith(`${node}/`)));
    checkLinks(node, events, nodeCrypto);
  });
  it('the same seed replays the same run, event for event', () => {
    const again = run().events;
    assert.equal(again.length, events.length);
    assert.deepStrictEqual(
      again.slice(0, 50).map((e) => e.id),
      events.slice(0, 50).map((e) => e.id),
    );
    assert.equal(again[again.length - 1].id, events[events.length - 1].id);
  });
});
