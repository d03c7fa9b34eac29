import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { identityFromSecretKey } from '../../firmware/identity/node-id.js';
import type { EventEntry } from '../../firmware/event/envelope.js';
import { HubLog } from '../../host/hub/hub-log.js';
import { Cartridge } from '../../host/store/cartridge.js';
import { AFTER_SQL } from '../../host/store/recorded-log.js';
import { crypto, tempDir, TestNode } from '../hub/helpers.js';

const tmp = tempDir('fazt-recorded-');
/** An entry as the log reads back for decisions: all but its hash link. */
const unlinked = ({ prev: _, ...rest }: EventEntry) => rest;
after(() => tmp.cleanup());

describe('the log in stored order (cartridge.recorded)', () => {
  it('gives back each entry as it was signed, with its received_at: by commit time, node chains before the hub within a millisecond', () => {
    let now = 1_767_225_600_000;
    const c = Cartridge.open(join(tmp.dir, 'r.db'), { clock: () => now });
    const hub = new HubLog({ cartridge: c, identity: identityFromSecretKey(new Uint8Array(32).fill(90), crypto), crypto, clock: () => now });
    const a = new TestNode(91, () => 'rtc');
    const b = new TestNode(92);
    for (const n of [a, b]) c.addNode(n.identity.publicKey);
    a.append(2);
    b.append(2);
    const cause = a.entries[0].id;
    const own = hub.append('percept.motion', 'percept', { node: a.id, component: 'pir', state: 'start', at: now, causes: [cause] });
    c.ingestBatch(b.batch(1, 2));
    c.ingestBatch(a.batch(1, 1));
    now += 1;
    c.ingestBatch(a.batch(2, 2));
    const got = [...c.recorded.between(0, now + 1, hub.id)];
    const [first, second] = [a, b].sort((x, y) => (x.id < y.id ? -1 : 1));
    assert.deepStrictEqual(got, [
      ...first.entries.slice(0, first === a ? 1 : 2).map((entry) => ({ entry: unlinked(entry), receivedAt: now - 1 })),
      ...second.entries.slice(0, second === a ? 1 : 2).map((entry) => ({ entry: unlinked(entry), receivedAt: now - 1 })),
      { entry: unlinked(own), receivedAt: now - 1 },
      { entry: unlinked(a.entries[1]), receivedAt: now },
    ]);
    assert.deepStrictEqual(
      got.filter((g) => !('clock' in g.entry)).map((g) => g.entry),
      b.entries.map(unlinked),
      "b's entries carried no clock and read back without one",
    );
    assert.deepStrictEqual(
      [...c.recorded.between(now, now + 1, hub.id)],
      [{ entry: unlinked(a.entries[1]), receivedAt: now }],
      'since is inclusive, until exclusive',
    );
    c.close();
  });

  it("keeps each chain in seq order across a step back of the hub's clock, and a reader that stops early frees the cartridge", () => {
    let now = 1_767_225_600_000;
    const c = Cartridge.open(join(tmp.dir, 's.db'), { clock: () => now });
    const a = new TestNode(93);
    const b = new TestNode(94);
    for (const n of [a, b]) c.addNode(n.identity.publicKey);
    a.append(3);
    b.append(1);
    c.ingestBatch(a.batch(1, 1));
    now -= 5_000; // the Timekeeper stepped the hub's clock back
    c.ingestBatch(a.batch(2, 2));
    c.ingestBatch(b.batch(1, 1));
    now += 10_000;
    c.ingestBatch(a.batch(3, 3));
    const order = [...c.recorded.between(0, Number.MAX_SAFE_INTEGER, 'no-hub')].map((r) => r.entry);
    const seqsOfA = order.filter((e) => e.source.startsWith(a.id)).map((e) => e.seq);
    assert.deepStrictEqual(seqsOfA, [1, 2, 3], "a's chain comes out as it was stored, never reordered by received_at");
    assert.equal(order.length, 4);
    for (const _ of c.recorded.between(0, Number.MAX_SAFE_INTEGER, 'no-hub')) break;
    a.append(1);
    assert.equal(c.ingestBatch(a.batch(4, 4)).stored, 1, 'no cursor left open: the cartridge takes writes');
    c.close();
  });

  it('reads from a position on (a start after the rules snapshot): only the entries past it, each chain by a range of its primary key', () => {
    let now = 1_767_225_600_000;
    const c = Cartridge.open(join(tmp.dir, 'after.db'), { clock: () => now });
    const hub = new HubLog({ cartridge: c, identity: identityFromSecretKey(new Uint8Array(32).fill(95), crypto), crypto, clock: () => now });
    const a = new TestNode(96);
    const b = new TestNode(97);
    for (const n of [a, b]) c.addNode(n.identity.publicKey);
    for (const n of [a, b]) n.append(5);
    c.ingestBatch(a.batch(1, 5));
    now += 1;
    c.ingestBatch(b.batch(1, 5));
    hub.append('percept.motion', 'percept', { node: a.id, component: 'pir', state: 'start', at: now, causes: [a.entries[4].id] });
    // a through seq 3 and b through 5 already taken; the hub's chain not at all.
    const got = [
      ...c.recorded.after(
        new Map([
          [a.id, 3],
          [b.id, 5],
        ]),
        hub.id,
      ),
    ];
    assert.deepStrictEqual(
      got.map((g) => [g.entry.source.split('/')[0], g.entry.seq]),
      [
        [a.id, 4],
        [a.id, 5],
        [hub.id, 1],
      ],
    );
    assert.deepStrictEqual(
      got,
      [...c.recorded.between(0, now + 1, hub.id)].filter((g) => (g.entry.source.startsWith(a.id) && g.entry.seq > 3) || g.entry.source.startsWith(hub.id)),
      'the same entries, in the same order, as the whole log has them',
    );
    const plan = (c.db.prepare(`EXPLAIN QUERY PLAN ${AFTER_SQL}`).all('x', 0) as { detail: string }[]).map((p) => p.detail);
    assert.ok(
      plan.some((d) => /^SEARCH e USING PRIMARY KEY \(node=\? AND seq>\?\)/.test(d)),
      `each chain is read by a range of (node, seq), not scanned: ${plan.join(' | ')}`,
    );
    assert.ok(!plan.some((d) => /^SCAN e\b|TEMP B-TREE/.test(d)), `no scan of entries, no sort: ${plan.join(' | ')}`);
    c.close();
  });
});
