import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import type { ValueMap } from '../../firmware/codec/value.js';
import { NodePresence } from '../../host/hub/node-presence.js';
import type { OpRecord } from '../../host/hub/op-log.js';
import { Cartridge } from '../../host/store/cartridge.js';
import { VirtualClock } from '../../sim/world/virtual-clock.js';
import { TestNode, tempDir } from './helpers.js';

const tmp = tempDir('fazt-presence-');
after(() => tmp.cleanup());
const MIN = 60_000;

const boot = (power?: ValueMap): ValueMap => ({ firmware: '0.1.0', board: 'esp32-devkitc', config: power ? { sensors: [], power } : { sensors: [] } });

/** A hub's presence over a cartridge on a virtual clock, with one enrolled node sending whole batches. */
function setup(name: string, silentAfterMs: number) {
  const clock = new VirtualClock(Date.UTC(2026, 11, 7));
  const cartridge = Cartridge.open(join(tmp.dir, `${name}.db`), { clock: () => clock.now() });
  const node = new TestNode(91);
  cartridge.addNode(node.identity.publicKey, { name: 'shed' });
  const records: OpRecord[] = [];
  const presence = new NodePresence({ cartridge, silentAfterMs, clock: () => clock.now(), timers: clock, log: (r) => records.push(r) });
  presence.start();
  /** One wake (or batch): a boot declaring `power`, then a reading. */
  const wake = (power?: ValueMap) => {
    const from = node.entries.length + 1;
    node.record('system.boot', 'node', boot(power), clock.now());
    node.append(1);
    cartridge.ingestBatch(node.batch(from, node.entries.length));
  };
  const silent = () => records.filter((r) => r.code === 'node-silent');
  const close = () => {
    presence.stop();
    cartridge.close();
  };
  return { clock, wake, silent, records, close };
}

describe('NodePresence and sleeping nodes', () => {
  it('its periodic check reads which nodes are retired without nodes() (a count of every stored entry): silent and retired nodes told apart', () => {
    const clock = new VirtualClock(Date.UTC(2026, 11, 7));
    const cartridge = Cartridge.open(join(tmp.dir, 'check.db'), { clock: () => clock.now() });
    const records: OpRecord[] = [];
    const presence = new NodePresence({ cartridge, silentAfterMs: 30_000, clock: () => clock.now(), timers: clock, log: (r) => records.push(r) });
    try {
      const [kept, gone] = [new TestNode(93), new TestNode(94)];
      for (const n of [kept, gone]) {
        cartridge.addNode(n.identity.publicKey);
        n.append(2);
        cartridge.ingestBatch(n.batch(1, 2));
      }
      presence.start();
      cartridge.nodeAdmin.retire(gone.identity.id, clock.now());
      // nodes() reads every node's count of entries: the check, every silentAfterMs / 4, must not pay for the whole log.
      cartridge.nodes = () => assert.fail('the periodic check called nodes()');
      clock.runFor(MIN);
      assert.deepEqual(
        records.filter((r) => r.code === 'node-silent').map((r) => r.node),
        [kept.identity.id],
        'the node in service is silent, the retired one is not',
      );
    } finally {
      presence.stop();
      cartridge.close();
    }
  });

  it('a node waking every 5 minutes is not silent at 60 s, nor between wakes; it is silent once it has missed three wakes', () => {
    const s = setup('sleeper', 30_000);
    try {
      const power = { mode: 'deep-sleep', wakeEveryMs: 5 * MIN };
      s.wake(power);
      s.clock.runFor(MIN);
      assert.deepEqual(s.silent(), [], 'asleep, not silent, at 60 s (always-on it would be: 30 s)');
      s.clock.runFor(4 * MIN);
      s.wake(power);
      s.clock.runFor(14 * MIN);
      assert.deepEqual(s.silent(), [], 'two wakes missed is not yet silent');
      s.clock.runFor(MIN + 10_000);
      const [line] = s.silent();
      assert.ok(line, 'silent after three missed wakes');
      assert.equal(line.wakeEveryS, 300);
      assert.ok(Number(line.silentS) >= 15 * 60 && Number(line.silentS) < 16 * 60, `silentS ${line.silentS}`);
      s.wake(power);
      assert.equal(s.records.filter((r) => r.code === 'node-back').length, 1);
    } finally {
      s.close();
    }
  });

  it('the same node declaring always-on (or nothing) is silent after silentAfterMs', () => {
    const s = setup('awake', 30_000);
    try {
      s.wake({ mode: 'always-on' });
      s.clock.runFor(MIN);
      assert.equal(s.silent().length, 1);
      assert.equal(s.silent()[0].wakeEveryS, undefined);
    } finally {
      s.close();
    }
  });

  it('a node that sleeps no longer than silentAfterMs allows is held to silentAfterMs', () => {
    const s = setup('short', 15 * MIN);
    try {
      s.wake({ mode: 'deep-sleep', wakeEveryMs: MIN });
      s.clock.runFor(10 * MIN);
      assert.deepEqual(s.silent(), [], 'the owner asked for 15 minutes');
      s.clock.runFor(6 * MIN);
      assert.equal(s.silent().length, 1);
    } finally {
      s.close();
    }
  });

  it('a hub started after the node slept reads its power from the stored boot', () => {
    const s = setup('restart', 30_000);
    const file = join(tmp.dir, 'restart.db');
    s.wake({ mode: 'deep-sleep', wakeEveryMs: 10 * MIN });
    s.close();
    const clock = new VirtualClock(Date.UTC(2026, 11, 8));
    const cartridge = Cartridge.open(file, { clock: () => clock.now() });
    const records: OpRecord[] = [];
    const presence = new NodePresence({ cartridge, silentAfterMs: 30_000, clock: () => clock.now(), timers: clock, log: (r) => records.push(r) });
    presence.start();
    try {
      clock.runFor(29 * MIN);
      assert.equal(records.length, 0, 'asleep');
      clock.runFor(2 * MIN);
      assert.equal(records.filter((r) => r.code === 'node-silent').length, 1);
    } finally {
      presence.stop();
      cartridge.close();
    }
  });
});
