import Database from 'better-sqlite3';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import type { ValueMap } from '../../firmware/codec/value.js';
import { type EventEntry, sourceNode } from '../../firmware/event/envelope.js';
import { identityFromSecretKey } from '../../firmware/identity/node-id.js';
import { HubLog } from '../../host/hub/hub-log.js';
import { Cartridge } from '../../host/store/cartridge.js';
import { cbor, crypto, post, startHub, tempDir, TestNode } from './helpers.js';
import { SseClient } from './sse-client.js';

const tmp = tempDir('fazt-hook-');
after(() => tmp.cleanup());
const at = (e: EventEntry) => `${sourceNode(e.source).slice(0, 6)}:${e.seq}`;

describe('post-commit hook (onStored)', () => {
  it('every listener sees node batches and the hub events made while one is delivered, in commit order', () => {
    const errors: unknown[] = [];
    const c = Cartridge.open(join(tmp.dir, 'order.db'), { onListenerError: (e) => errors.push(e) });
    const log = new HubLog({ cartridge: c, identity: identityFromSecretKey(new Uint8Array(32).fill(70), crypto), crypto, clock: () => 1_767_225_600_000 });
    const a = new TestNode(71);
    const b = new TestNode(72);
    for (const n of [a, b]) c.addNode(n.identity.publicKey);
    const first: string[] = [];
    const second: string[] = [];
    // The first listener answers each node batch with a hub event, from inside its own delivery (as the percept engine does)...
    c.onStored((es) => {
      first.push(...es.map(at));
      const e = es[es.length - 1];
      if (sourceNode(e.source) !== log.id)
        log.append('percept.motion', 'percept', { node: sourceNode(e.source), component: 'pir', state: 'start', at: e.time, causes: [e.id] });
    });
    c.onStored(() => {
      throw new Error('a broken listener');
    });
    // ...and the listeners after it still see that node batch before the hub event it caused.
    c.onStored((es) => second.push(...es.map(at)));
    a.append(3);
    b.append(2);
    c.ingestBatch(a.batch(1, 2));
    c.ingestMany([b.batch(1, 2), a.batch(3, 3)]);
    const h = log.id.slice(0, 6);
    const [na, nb] = [a.id.slice(0, 6), b.id.slice(0, 6)];
    const expected = [`${na}:1`, `${na}:2`, `${h}:1`, `${nb}:1`, `${nb}:2`, `${na}:3`, `${h}:2`];
    assert.deepStrictEqual(first, expected);
    assert.deepStrictEqual(second, expected);
    assert.equal(errors.length, 4, 'the broken listener was reported for each of the 4 deliveries and stopped nobody');
    c.close();
  });

  it('appends made atomically are one commit, heard of after it; a throw inside stores and tells nothing, and the chain goes on', () => {
    const file = join(tmp.dir, 'atomic.db');
    const c = Cartridge.open(file);
    const log = new HubLog({ cartridge: c, identity: identityFromSecretKey(new Uint8Array(32).fill(74), crypto), crypto, clock: () => 1_767_225_600_000 });
    const reader = new Database(file, { readonly: true });
    const stored = () => reader.prepare('SELECT count(*) FROM events_v').pluck().get() as number;
    const heard: number[] = [];
    c.onStored((es) => heard.push(...es.map((e) => e.seq)));
    const motion = (state: string) =>
      log.append('percept.motion', 'percept', { node: log.id, component: 'pir', state, at: 1_767_225_600_000, causes: ['aaaaaaaaaaaaaaaa'] });
    const inside: number[][] = [];
    const seqs = log.atomically(() => {
      const a = motion('start');
      const b = motion('end');
      inside.push([stored(), heard.length]);
      return [a.seq, b.seq];
    });
    assert.deepStrictEqual(inside, [[0, 0]], 'another connection saw nothing and no listener heard anything before the commit');
    assert.deepStrictEqual([stored(), heard, seqs], [2, [1, 2], [1, 2]]);
    assert.throws(
      () =>
        log.atomically(() => {
          motion('start');
          throw new Error('the effect could not be carried out');
        }),
      /could not be carried out/,
    );
    assert.deepStrictEqual([stored(), heard], [2, [1, 2]], 'the rolled back append was neither stored nor told');
    assert.equal(motion('start').seq, 3, 'the head is the stored one again');
    assert.deepStrictEqual([stored(), heard], [3, [1, 2, 3]]);
    reader.close();
    c.close();
  });

  it('the hub publishes its own events on the event stream like node events, and hub.onStored sees both in commit order', async () => {
    const h = await startHub({ percepts: { tickMs: 0 } });
    const sse = await SseClient.open(`${h.url}/v1/stream`);
    try {
      const seen: EventEntry[] = [];
      h.hub.onStored((es) => seen.push(...es));
      const n = new TestNode(73);
      h.hub.cartridge.addNode(n.identity.publicKey);
      n.append(4);
      n.record('sensor.event', 'pir', { type: 'motion-start', time: 1_767_225_605_500 }, 1_767_225_605_500);
      assert.equal((await post(`${h.url}/v1/uplink`, cbor(n.batch(1, 5)))).status, 200);
      const hubId = h.hub.hubLog.id;
      const percepts = seen.filter((e) => sourceNode(e.source) === hubId);
      assert.deepStrictEqual(
        percepts.map((e) => e.type),
        ['percept.level', 'percept.motion', 'percept.presence'],
      );
      // Each percept comes after every event it cites.
      for (const p of percepts)
        for (const cause of (p.data as ValueMap).causes as string[])
          assert.ok(seen.findIndex((e) => e.id === cause) < seen.indexOf(p), `${p.type} before its cause`);
      await sse.until('the node events and the percepts on the stream', () => sse.events.length === seen.length);
      assert.deepStrictEqual(
        sse.events.map((e) => e.id),
        seen.map((e) => e.id),
      );
    } finally {
      sse.close();
      await h.stop();
    }
  });
});
