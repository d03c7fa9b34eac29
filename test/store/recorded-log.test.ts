import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { identityFromSecretKey } from '../../firmware/identity/node-id.js';
import type { EventEntry } from '../../firmware/event/envelope.js';
import { HubLog } from '../../host/hub/hub-log.js';
import { Cartridge } from '../../host/store/cartridge.js';
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
});
