import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import type { Value, ValueMap } from '../../firmware/codec/value.js';
import type { EventEntry } from '../../firmware/event/envelope.js';
import { HubLog } from '../../host/hub/hub-log.js';
import { PulseCounters } from '../../host/pulse/pulse-counters.js';
import { type PulseAnswer, PulseService } from '../../host/pulse/pulse-service.js';
import { restoreCounters } from '../../host/pulse/restore-counters.js';
import { Cartridge } from '../../host/store/cartridge.js';
import { crypto, TestNode, tempDir } from '../hub/helpers.js';

/**
 * Pulse and battery nodes (README "Battery nodes: deep sleep"): a node that
 * declares deep sleep is expected once a wake, and a battery its health
 * reports is judged with hysteresis; each change is a signed event on the
 * hub's chain citing the beat and the node's events that caused it.
 */
const tmp = tempDir('fazt-pulse-sleep-');
after(() => tmp.cleanup());
const T = Date.UTC(2026, 11, 7, 6);
const MIN = 60_000;
const SLEEP = { mode: 'deep-sleep', wakeEveryMs: 5 * MIN };

function setup(name: string) {
  let now = T;
  const clock = () => now;
  const cartridge = Cartridge.open(join(tmp.dir, `${name}.db`), { clock });
  const hubLog = new HubLog({ cartridge, identity: new TestNode(60).identity, crypto, clock });
  const counters = new PulseCounters(hubLog.id);
  cartridge.onStored((entries, at) => counters.observe(entries, at));
  const pulse = new PulseService({ everyMs: 0, cartridge, hubLog, clock, counters, streamClients: () => 0, log: () => undefined });
  pulse.start();
  /** Stores `entries` of `node` (just recorded, in order) as one batch at the hub's `now`. */
  const send = (node: TestNode, entries: EventEntry[]) => {
    const last = node.entries.length;
    cartridge.ingestBatch(node.batch(last - entries.length + 1, last));
  };
  const enrol = (seed: number, nodeName: string) => {
    const n = new TestNode(seed);
    cartridge.addNode(n.identity.publicKey, { name: nodeName });
    return n;
  };
  /** The hub's pulse.<status> events of one check, oldest first. */
  const changes = (check: string) =>
    cartridge
      .events({ node: hubLog.id, limit: 1000 })
      .events.filter((e) => e.type.startsWith('pulse.') && e.type !== 'pulse.beat' && (e.data as ValueMap).check === check);
  const verdict = (a: PulseAnswer, check: string, subject: string) => a.judgement.verdicts.find((v) => v.check === check && v.subject === subject);
  return {
    cartridge,
    at: (t: number) => {
      now = t;
    },
    send,
    enrol,
    changes,
    verdict,
    beat: () => pulse.beat(),
    close: () => {
      pulse.stop();
      cartridge.close();
    },
  };
}

describe('Pulse and sleeping nodes', () => {
  it('a node waking every 5 minutes is expected every 5 minutes: not silent at 60 s, degraded once it has missed three wakes', () => {
    const s = setup('silent');
    try {
      const n = s.enrol(31, 'shed');
      let wakeAt = T;
      // Each wake sends two batches a second apart (its boot, then its readings): the gaps between batches say nothing of the wakes.
      const wake = () => {
        s.at(wakeAt);
        s.send(n, [n.record('system.boot', 'node', { firmware: '0.1.0', config: { sensors: [], power: SLEEP } }, wakeAt)]);
        s.at(wakeAt + 1000);
        s.send(n, n.append(1));
      };
      for (let k = 0; k < 10; k++, wakeAt += 5 * MIN) wake();
      const last = wakeAt - 5 * MIN + 1000;
      s.at(last + MIN);
      const a = s.beat();
      const node = a.metrics.nodes[n.id];
      assert.equal(node.figures.expectedMs, 5 * MIN, 'the declared wake period');
      assert.equal(node.figures.wakeEveryMs, 5 * MIN);
      assert.equal(node.facts.power, 'deep-sleep');
      assert.equal(s.verdict(a, 'node.silent', n.id)?.status, 'healthy', 'asleep at 60 s, not silent');
      assert.doesNotMatch(a.text, /silent/);
      s.at(last + 14 * MIN);
      assert.equal(s.verdict(s.beat(), 'node.silent', n.id)?.status, 'healthy', 'two wakes missed');
      s.at(last + 16 * MIN);
      const b = s.beat();
      assert.equal(s.verdict(b, 'node.silent', n.id)?.status, 'degraded', 'three wakes missed');
      assert.match(b.text, /shed has been silent for 16 minutes; it usually reports every 5 minutes/);
      const [change] = s.changes('node.silent');
      assert.equal(change.type, 'pulse.degraded');
      assert.deepEqual((change.data as ValueMap).causes, [b.id, n.entries[n.entries.length - 1].id], 'the beat and the last event heard');
      const restored = new PulseCounters('hub');
      restoreCounters(restored, s.cartridge.db, [n.id]);
      assert.equal(restored.node(n.id).wakeMs, 5 * MIN, 'a restarted hub reads the period from the latest stored boot');
      s.at(last + 51 * MIN);
      assert.equal(s.verdict(s.beat(), 'node.silent', n.id)?.status, 'critical', 'ten wakes missed');
    } finally {
      s.close();
    }
  });

  it('a low battery raises a Pulse issue citing the health that said so, and clears only 5 points above it', () => {
    const s = setup('battery');
    try {
      const cell = s.enrol(32, 'porch');
      const mains = s.enrol(33, 'desk');
      let t = T;
      /** One health of each node, then a beat, 15 minutes on. */
      const health = (battery: Value) => {
        t += 15 * MIN;
        s.at(t);
        const h = cell.record('system.health', 'node', { freeHeap: 90_000, battery, firmware: '0.1.0' }, t);
        s.send(cell, [h]);
        s.send(mains, [mains.record('system.health', 'node', { freeHeap: 90_000, firmware: '0.1.0' }, t)]);
        const a = s.beat();
        assert.equal(s.verdict(a, 'node.battery', mains.id), undefined, 'a node without a battery is not judged on one (not unknown)');
        return { status: s.verdict(a, 'node.battery', cell.id)?.status, a, h };
      };
      assert.equal(health({ volts: 3.9, percent: 60 }).status, 'healthy');
      const low = health({ volts: 3.52, percent: 14 });
      assert.equal(low.status, 'degraded');
      assert.equal(low.a.metrics.nodes[cell.id].figures.batteryVolts, 3.52);
      assert.ok(low.a.judgement.verdicts.some((v) => v.check === 'node.battery' && v.text === "porch's battery is at 14 % (3.52 V)."));
      assert.equal(health({ volts: 3.56, percent: 18 }).status, 'degraded', 'back above 15 % but within the hysteresis: no flap');
      assert.equal(health({ volts: 3.5, percent: 12 }).status, 'degraded');
      const charged = health({ volts: 3.61, percent: 21 });
      assert.equal(charged.status, 'healthy');
      assert.equal(health({ volts: 3.3, percent: 4 }).status, 'critical');
      assert.equal(health(null).status, 'unknown', 'a battery the board could not read is unknown, not healthy');
      const changes = s.changes('node.battery');
      assert.deepEqual(
        changes.map((e) => [e.type, (e.data as ValueMap).from, (e.data as ValueMap).to]),
        [
          ['pulse.degraded', 'healthy', 'degraded'],
          ['pulse.healthy', 'degraded', 'healthy'],
          ['pulse.critical', 'healthy', 'critical'],
          ['pulse.unknown', 'critical', 'unknown'],
        ],
      );
      assert.deepEqual((changes[0].data as ValueMap).causes, [low.a.id, low.h.id], 'the beat and the health carrying the battery');
      assert.deepEqual((changes[1].data as ValueMap).causes, [charged.a.id, charged.h.id]);
      assert.ok(
        s.changes('node.battery').every((e) => (e.data as ValueMap).subject === cell.id),
        'nothing said of the mains-powered node',
      );
    } finally {
      s.close();
    }
  });
});
