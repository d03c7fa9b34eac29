import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import type { ValueMap } from '../../firmware/codec/value.js';
import type { EventEntry } from '../../firmware/event/envelope.js';
import { ruleNodes } from '../../host/hub/rule-nodes.js';
import { explain } from '../../host/rules/index.js';
import { Cartridge } from '../../host/store/cartridge.js';
import { killHard, type ScriptChild, startFaztHub, stopGently } from '../helpers/child-process.js';
import { asOwner, cbor, get, post, TestNode, tempDir } from '../hub/helpers.js';

/**
 * A for: window survives the hub being killed (kill -9 of a hub process)
 * while it is open: the restarted hub derives it again from the stored log
 * and fires when the node's later entry proves it (README, Rules and effects: an
 * entry of the node's chain stamped at or after start + for, stored with no
 * seq missing since), once. With a gap in the node's chain inside the
 * window it does not fire, and explain() says why, naming the event.
 */
const tmp = tempDir('fazt-rule-restart-');
const running = new Set<ChildProcess>();
after(async () => {
  for (const p of running) await killHard(p);
  tmp.cleanup();
});
type Hub = ScriptChild & { url: string };

/** `fazt hub` as users run it (the built CLI), its rules on as always; no pulse beats to mix into the hub's chain. */
async function startHub(dir: string): Promise<Hub> {
  const hub = await startFaztHub(dir, ['--pulse-every', '0s']);
  running.add(hub.proc);
  return asOwner(dir, hub);
}

function stopHub(hub: Hub, how: 'kill -9' | 'SIGTERM'): Promise<unknown> {
  running.delete(hub.proc);
  return how === 'kill -9' ? killHard(hub.proc) : stopGently(hub);
}

const T = 1_767_229_200_000;
const EVERY = 30_000;
/** 25.5 °C twice, then 27 °C (above 26 from the third reading, at T + 60 s: due at T + 360 s, the 13th). */
function readings(node: TestNode, n: number): void {
  for (let i = node.entries.length; i < n; i++) {
    const time = T + i * EVERY;
    node.record('sensor.reading', 'bme280', { name: 'temperature', unit: 'Cel', value: i < 2 ? 25.5 : 27, quality: 'good', time }, time);
  }
}

const hot = (id: string, node: string) => ({
  id,
  name: `${node} hot for 5 min`,
  triggers: [{ kind: 'numeric', id: 'hot', series: { node, component: 'bme280', name: 'temperature' }, above: 26, hysteresis: 1, for: '5m' }],
  actions: [{ kind: 'notify', message: `${node} above 26 °C for 5 min` }],
});

const firings = async (url: string, id: string): Promise<number> => {
  const r = await get(`${url}/v1/rules?id=${id}`);
  assert.equal(r.status, 200, JSON.stringify(r.body));
  return r.body.firings as number;
};
const send = async (url: string, node: TestNode, first: number, last: number, dropped?: { from: number; to: number }) => {
  const r = await post(`${url}/v1/uplink`, cbor(node.batch(first, last, dropped)));
  assert.equal(r.status, 200, JSON.stringify(r.body));
  assert.equal(r.body.ack, last);
};

describe('a for: window across a kill -9 of the hub', { timeout: 60_000 }, () => {
  const dir = tmp.dir;
  const lab = new TestNode(91);
  const garage = new TestNode(92);
  readings(lab, 20);
  readings(garage, 20);

  it('resumes after the restart and fires once, when the entry stamped at start + 5 min is stored; a gap inside the window voids it, and explain says why', async (t) => {
    const c = Cartridge.open(join(dir, 'fazt.db'));
    c.addNode(lab.identity.publicKey, { name: 'lab', board: 'esp32-devkitc' });
    c.addNode(garage.identity.publicKey, { name: 'garage', board: 'esp32-devkitc' });
    c.close();

    const first = await startHub(dir);
    for (const doc of [hot('lab-hot', 'lab'), hot('garage-hot', 'garage')]) {
      const r = await post(`${first.url}/v1/rules`, JSON.stringify(doc), 'application/json');
      assert.equal(r.status, 201, JSON.stringify(r.body));
    }
    await send(first.url, lab, 1, 6); // the window opened at seq 3 (T + 60 s); up to T + 150 s
    await send(first.url, garage, 1, 3);
    assert.equal(await firings(first.url, 'lab-hot'), 0);
    await stopHub(first, 'kill -9');

    const second = await startHub(dir);
    await send(second.url, lab, 7, 12); // up to T + 330 s: still inside the window
    assert.equal(await firings(second.url, 'lab-hot'), 0, 'nothing fires on the wall clock or on a guess');
    await send(second.url, lab, 13, 13); // stamped T + 360 s = start + 5 min
    assert.equal(await firings(second.url, 'lab-hot'), 1, 'the proof fires it');
    await send(second.url, lab, 14, 20);
    assert.equal(await firings(second.url, 'lab-hot'), 1, 'once');
    // Garage: seqs 4–5 dropped (signed by the node) inside its window; its chain runs on to the due time and past.
    await send(second.url, garage, 6, 13, { from: 4, to: 5 });
    assert.equal(await firings(second.url, 'garage-hot'), 0, 'a gap in the window: the state is unknown and the rule waits');
    await stopHub(second, 'kill -9');

    // After the gap, seq 6 (T + 150 s) shows the condition again: a whole new window, due at T + 450 s (seq 16).
    const third = await startHub(dir);
    await send(third.url, garage, 14, 15);
    assert.equal(await firings(third.url, 'garage-hot'), 0);
    await send(third.url, garage, 16, 20);
    assert.deepEqual(
      [await firings(third.url, 'lab-hot'), await firings(third.url, 'garage-hot')],
      [1, 1],
      'replaying the log again carries out nothing twice',
    );
    assert.equal(await stopHub(third, 'SIGTERM'), 0, 'a clean stop');

    const store = Cartridge.open(join(dir, 'fazt.db'));
    try {
      const [hub] = store.nodes('hub');
      const recorded = [...store.recorded.between(0, Number.MAX_SAFE_INTEGER, hub.id)];
      const at = (id: string) => recorded.find((r) => r.entry.id === id)?.receivedAt;
      const own = [...store.chain(hub.id)];
      const fired = own.filter((e) => e.type === 'system.rule.fired').map((e) => e.data as ValueMap);
      assert.deepEqual(
        fired.map((f) => f.rule),
        ['lab-hot', 'garage-hot'],
      );
      const proof = [...store.chain(lab.id)].find((e) => e.seq === 13) as EventEntry;
      assert.equal(proof.time, T + 60_000 + 300_000);
      assert.equal(fired[0].rule, 'lab-hot');
      assert.equal(fired[0].at, at(proof.id), 'at the moment the proof was stored');
      const causes = fired[0].causes as string[];
      assert.deepEqual([causes[0], causes.at(-1)], [lab.entries[2].id, proof.id], 'the reading that opened the window and the entry that proved it');
      assert.equal(own.filter((e) => e.type === 'effect.notify').length, 2);
      const renewed = garage.entries[15];
      assert.deepEqual(
        [fired[1].at, (fired[1].causes as string[])[0], (fired[1].causes as string[]).at(-1)],
        [at(renewed.id), garage.entries[5].id, renewed.id],
      );

      // Why garage-hot did not fire when its chain reached start + 5 min (seq 13 stored):
      const why = explain(hot('garage-hot', 'garage'), at(garage.entries[12].id) as number, recorded, {
        hubId: hub.id,
        nodes: ruleNodes(store).refs,
      });
      assert.deepEqual(why.fired, []);
      const found = garage.entries[5].id; // seq 6, the first entry after the gap
      assert.match(why.verdict, /^did not fire: .*gap in .*seqs 4–5 missing/, why.verdict);
      assert.ok(why.verdict.includes(found), `the verdict names the event: ${why.verdict}`);
      assert.ok(
        why.decisions.some((d) => d.what === 'window-void' && d.events.includes(found)),
        JSON.stringify(why.decisions),
      );
      t.diagnostic(`explain: ${why.verdict}`);
    } finally {
      store.close();
    }
  });
});
