import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { signBeacon, verifyBeacon, type BeaconRecord } from '../../firmware/beacon/beacon-record.js';
import { FORGET_AFTER_MS, PeerTable, type PeerChange } from '../../firmware/beacon/peer-table.js';
import { identityFromSecretKey } from '../../firmware/identity/node-id.js';
import { nodeCrypto as crypto } from '../../host/crypto/node-crypto.js';

const a = identityFromSecretKey(new Uint8Array(32).fill(81), crypto);
const b = identityFromSecretKey(new Uint8Array(32).fill(82), crypto);

/** A record as the beacon would hand it over: signed, then verified from `from`. */
function heardFrom(id: typeof a, from: string, name: string, issued: number): BeaconRecord {
  const { headers } = signBeacon({ kind: 'hub', name, board: 'host', version: '0.1.0', services: ['time'], addresses: ['10.0.0.2', '10.0.0.3', '10.0.0.9'], port: 7070, issued }, id, crypto);
  return verifyBeacon(headers, from, crypto);
}

describe('PeerTable', () => {
  it('found, updated, left, expired: in order, with a manual clock', () => {
    const changes: [PeerChange, string, string][] = [];
    const forgetMs = 60_000;
    const t = new PeerTable(forgetMs, (p, c) => changes.push([c, p.record.id, p.url]));
    let now = 1_000_000;

    const p1 = t.heard(heardFrom(a, '10.0.0.2', 'a', now), '10.0.0.2', now);
    assert.deepStrictEqual([p1.firstSeen, p1.lastSeen, p1.url], [now, now, 'http://10.0.0.2:7070']);
    now += 5000;
    const p2 = t.heard(heardFrom(a, '10.0.0.3', 'a renamed', now), '10.0.0.3', now);
    assert.equal(p2.firstSeen, 1_000_000, 'first seen is kept across updates');
    assert.equal(p2.lastSeen, now);
    assert.equal(p2.record.name, 'a renamed');
    assert.equal(t.get(a.id)?.url, 'http://10.0.0.3:7070', 'the latest address wins');
    t.heard(heardFrom(b, '10.0.0.9', 'b', now), '10.0.0.9', now);
    assert.equal(t.size, 2);
    assert.deepStrictEqual(t.list().map((p) => p.record.id), [a.id, b.id].sort());

    t.left(b.id);
    t.left(b.id); // a second byebye: nothing to forget
    t.left('fzaaaaaaaaaaaaaaaaaaaaaaaa'); // never heard: nothing
    assert.equal(t.size, 1);
    assert.equal(t.get(b.id), undefined);

    // Silent exactly forgetMs: still there; one millisecond more: expired.
    assert.equal(t.expire(now + forgetMs), 0);
    assert.ok(t.get(a.id), 't.get(a.id)');
    assert.equal(t.expire(now + forgetMs + 1), 1);
    assert.equal(t.size, 0);
    assert.equal(t.expire(now + 10 * forgetMs), 0);

    assert.deepStrictEqual(changes.map(([c, id]) => [c, id]), [
      ['found', a.id],
      ['updated', a.id],
      ['found', b.id],
      ['left', b.id],
      ['expired', a.id],
    ]);
  });
  it('a peer heard again before forgetMs is not expired; heard again after it left is found anew', () => {
    const changes: PeerChange[] = [];
    const t = new PeerTable(60_000, (_p, c) => changes.push(c));
    const r = heardFrom(a, '10.0.0.2', 'a', 0);
    t.heard(r, '10.0.0.2', 0);
    t.heard(r, '10.0.0.2', 50_000);
    assert.equal(t.expire(100_000), 0, 'last seen 50 s before: kept');
    assert.equal(t.expire(110_001), 1);
    const again = t.heard(r, '10.0.0.2', 120_000);
    assert.equal(again.firstSeen, 120_000, 'a forgotten peer starts over');
    assert.deepStrictEqual(changes, ['found', 'updated', 'expired', 'found']);
  });
  it('expires only the silent ones', () => {
    const t = new PeerTable();
    t.heard(heardFrom(a, '10.0.0.2', 'a', 0), '10.0.0.2', 0);
    t.heard(heardFrom(b, '10.0.0.9', 'b', 0), '10.0.0.9', 200_000);
    assert.equal(t.expire(FORGET_AFTER_MS), 0, 'the default is five minutes');
    assert.equal(t.expire(FORGET_AFTER_MS + 1), 1);
    assert.deepStrictEqual(t.list().map((p) => p.record.id), [b.id]);
  });
  it('refuses a forgetMs that is not positive', () => {
    assert.throws(() => new PeerTable(0), RangeError);
    assert.throws(() => new PeerTable(-1), RangeError);
    assert.throws(() => new PeerTable(NaN), RangeError);
  });
});
