import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { BeaconError, signBeacon, verifyBeacon, type BeaconRecord, type BeaconState } from '../../firmware/beacon/beacon-record.js';
import { FORGET_AFTER_MS, PeerTable, type BeaconPeer, type PeerChange } from '../../firmware/beacon/peer-table.js';
import { identityFromSecretKey } from '../../firmware/identity/node-id.js';
import { nodeCrypto as crypto } from '../../host/crypto/node-crypto.js';

const a = identityFromSecretKey(new Uint8Array(32).fill(81), crypto);
const b = identityFromSecretKey(new Uint8Array(32).fill(82), crypto);

/** A record as the beacon would hand it over: signed, then verified from `from`. */
function heardFrom(id: typeof a, from: string, name: string, issued: number, state: BeaconState = 'alive'): BeaconRecord {
  const { headers } = signBeacon(
    { kind: 'hub', name, board: 'host', version: '0.1.0', services: ['time'], addresses: ['10.0.0.2', '10.0.0.3', '10.0.0.9'], port: 7070, issued },
    id,
    crypto,
    state,
  );
  return verifyBeacon(headers, from, crypto, undefined, state);
}

function fresh(r: { peer: BeaconPeer | undefined; fresh: boolean }): BeaconPeer {
  assert.ok(r.fresh && r.peer, 'expected a fresh record');
  return r.peer;
}

describe('PeerTable', () => {
  it('found, updated, left, expired: in order, with a manual clock', () => {
    const changes: [PeerChange, string, string][] = [];
    const forgetMs = 60_000;
    const t = new PeerTable(forgetMs, (p, c) => changes.push([c, p.record.id, p.url]));
    let now = 1_000_000;

    const p1 = fresh(t.heard(heardFrom(a, '10.0.0.2', 'a', now), '10.0.0.2', now));
    assert.deepStrictEqual([p1.firstSeen, p1.lastSeen, p1.url], [now, now, 'http://10.0.0.2:7070']);
    now += 5000;
    const p2 = fresh(t.heard(heardFrom(a, '10.0.0.3', 'a renamed', now), '10.0.0.3', now));
    assert.equal(p2.firstSeen, 1_000_000, 'first seen is kept across updates');
    assert.equal(p2.lastSeen, now);
    assert.equal(p2.record.name, 'a renamed');
    assert.equal(t.get(a.id)?.url, 'http://10.0.0.3:7070', 'the latest address wins');
    t.heard(heardFrom(b, '10.0.0.9', 'b', now), '10.0.0.9', now);
    assert.equal(t.size, 2);
    assert.deepStrictEqual(
      t.list().map((p) => p.record.id),
      [a.id, b.id].sort(),
    );

    assert.equal(t.left(heardFrom(b, '10.0.0.9', 'b', now + 1, 'bye')), true);
    assert.equal(t.left(heardFrom(b, '10.0.0.9', 'b', now + 2, 'bye')), false, 'a second byebye: nothing to forget');
    assert.equal(t.size, 1);
    assert.equal(t.get(b.id), undefined);

    // Silent exactly forgetMs: still there; one millisecond more: expired.
    assert.equal(t.expire(now + forgetMs), 0);
    assert.ok(t.get(a.id), 't.get(a.id)');
    assert.equal(t.expire(now + forgetMs + 1), 1);
    assert.equal(t.size, 0);
    assert.equal(t.expire(now + 10 * forgetMs), 0);

    assert.deepStrictEqual(
      changes.map(([c, id]) => [c, id]),
      [
        ['found', a.id],
        ['updated', a.id],
        ['found', b.id],
        ['left', b.id],
        ['expired', a.id],
      ],
    );
  });

  it('a replayed record refreshes nothing: the same or an older issue time is not news', () => {
    const t = new PeerTable(60_000);
    const r = heardFrom(a, '10.0.0.2', 'a', 1000);
    fresh(t.heard(r, '10.0.0.2', 0));
    const again = t.heard(r, '10.0.0.2', 50_000);
    assert.equal(again.fresh, false);
    assert.equal(again.peer?.lastSeen, 0, 'a replay does not keep a peer alive');
    assert.equal(t.heard(heardFrom(a, '10.0.0.2', 'a', 999), '10.0.0.2', 50_000).fresh, false, 'an older record neither');
    assert.equal(t.expire(60_001), 1, 'so a silent peer expires however often its old packets are replayed');
    // Forgotten by silence, a newer announcement finds it anew.
    const back = fresh(t.heard(heardFrom(a, '10.0.0.2', 'a', 2000), '10.0.0.2', 70_000));
    assert.equal(back.firstSeen, 70_000);
  });

  it('a byebye counts only when it is newer than the record held, and nothing older brings the peer back', () => {
    const changes: PeerChange[] = [];
    const t = new PeerTable(60_000, (_p, c) => changes.push(c));
    fresh(t.heard(heardFrom(a, '10.0.0.2', 'a', 5000), '10.0.0.2', 0));
    assert.equal(t.left(heardFrom(a, '10.0.0.2', 'a', 4000, 'bye')), false, 'an old goodbye (replayed from a previous run) is ignored');
    assert.equal(t.left(heardFrom(a, '10.0.0.2', 'a', 5000, 'bye')), false, 'so is one no newer than the alive held');
    assert.ok(t.get(a.id));
    assert.equal(t.left(heardFrom(a, '10.0.0.2', 'a', 6000, 'bye')), true);
    assert.equal(t.heard(heardFrom(a, '10.0.0.2', 'a', 5500), '10.0.0.2', 1).peer, undefined, 'an alive from before the goodbye does not revive it');
    assert.equal(t.get(a.id), undefined);
    fresh(t.heard(heardFrom(a, '10.0.0.2', 'a', 7000), '10.0.0.2', 2));
    assert.deepStrictEqual(changes, ['found', 'left', 'found']);
  });

  it('the signed state must match the packet: a captured alive cannot be turned into a byebye', () => {
    const { headers } = signBeacon(
      { kind: 'hub', name: 'a', board: 'host', version: '0.1.0', services: [], addresses: ['10.0.0.2'], port: 7070, issued: 9000 },
      a,
      crypto,
    );
    assert.throws(
      () => verifyBeacon(headers, '10.0.0.2', crypto, undefined, 'bye'),
      (e: unknown) => e instanceof BeaconError && e.code === 'beacon-state-mismatch',
    );
    assert.equal(verifyBeacon(headers, '10.0.0.2', crypto, undefined, 'alive').state, 'alive');
  });

  it('expires only the silent ones', () => {
    const t = new PeerTable();
    t.heard(heardFrom(a, '10.0.0.2', 'a', 0), '10.0.0.2', 0);
    t.heard(heardFrom(b, '10.0.0.9', 'b', 0), '10.0.0.9', 200_000);
    assert.equal(t.expire(FORGET_AFTER_MS), 0, 'the default is five minutes');
    assert.equal(t.expire(FORGET_AFTER_MS + 1), 1);
    assert.deepStrictEqual(
      t.list().map((p) => p.record.id),
      [b.id],
    );
  });

  it('refuses a forgetMs that is not positive', () => {
    assert.throws(() => new PeerTable(0), RangeError);
    assert.throws(() => new PeerTable(-1), RangeError);
    assert.throws(() => new PeerTable(NaN), RangeError);
  });
});
