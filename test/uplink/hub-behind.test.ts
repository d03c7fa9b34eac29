import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { type Batch, batchFromValue } from '../../firmware/batch/batch.js';
import { verifyBatch } from '../../firmware/batch/verify-batch.js';
import { decodeCbor } from '../../firmware/codec/cbor-decode.js';
import { nobleCrypto } from '../../firmware/crypto/noble-crypto.js';
import type { EventLogHead } from '../../firmware/event/event-log.js';
import { EventLog } from '../../firmware/event/event-log.js';
import { identityFromSecretKey } from '../../firmware/identity/node-id.js';
import { OfflineBuffer } from '../../firmware/uplink/offline-buffer.js';
import { type UplinkResult, uplinkResult } from '../../firmware/uplink/transport.js';
import { Uplink } from '../../firmware/uplink/uplink.js';
import { toHttpError } from '../../host/hub/http-error.js';
import { VirtualClock } from '../../sim/world/virtual-clock.js';

/**
 * A node's Uplink against a hub that verifies as the real one does (verifyBatch on the head it
 * holds) and answers a refusal as the real one does (toHttpError's body, read back by
 * uplinkResult); the test sets what the hub holds, or scripts what it claims.
 */
function rig(claim?: (batch: Batch) => UplinkResult | undefined, budgetBytes = 64 * 1024) {
  const clock = new VirtualClock(0);
  const identity = identityFromSecretKey(new Uint8Array(32).fill(9), nobleCrypto);
  const log = new EventLog({ nodeId: identity.id, crypto: nobleCrypto, clock: () => clock.now() });
  const buffer = new OfflineBuffer(budgetBytes);
  const hub = { known: undefined as EventLogHead | undefined, gaps: [] as { from: number; to: number }[], heads: new Map<number, Uint8Array>() };
  const sent: { at: number; first: number; last: number; dropped?: { from: number; to: number } }[] = [];
  const rewinds: { hubSeq: number; ackedSeq: number; from: number; to: number }[] = [];
  const uplink = new Uplink({
    identity,
    crypto: nobleCrypto,
    time: clock,
    buffer,
    batchSize: 5,
    maxDelayMs: 0,
    onRewind: (r) => rewinds.push(r),
    transport: {
      send: (bytes, done) => {
        const b = batchFromValue(decodeCbor(bytes));
        sent.push({ at: clock.now(), first: b.first, last: b.last, ...(b.dropped ? { dropped: b.dropped } : {}) });
        const scripted = claim?.(b);
        if (scripted) return done(scripted);
        try {
          const v = verifyBatch(b, { crypto: nobleCrypto, known: hub.known });
          if (v.gap) hub.gaps.push(v.gap);
          hub.known = v.head;
          hub.heads.set(v.head.seq, v.head.hash);
          done({ ok: true, ack: { ack: v.head.seq, stored: v.fresh.length } });
        } catch (e) {
          const err = toHttpError(e);
          done(uplinkResult(err.status, err.body()));
        }
      },
    },
  });
  const record = (n: number) => {
    for (let i = 0; i < n; i++) buffer.push(log.append('sensor.reading', 'bme280', { name: 'temperature', value: 21 + i }), 100, clock.now());
    uplink.poke();
    clock.runFor(0);
  };
  uplink.start();
  return { clock, buffer, uplink, hub, sent, rewinds, record };
}

describe('a node meets a hub that lost what it had acknowledged (restored from a backup)', () => {
  it('signs the seqs it no longer holds as dropped, once, and goes on', () => {
    const r = rig();
    r.record(10);
    assert.equal(r.hub.known?.seq, 10);
    r.record(5); // acknowledged: the node lets 11..15 go
    assert.equal(r.buffer.count, 0);
    // The hub is restored to a backup taken at seq 10.
    r.hub.known = { seq: 10, hash: r.hub.heads.get(10) as Uint8Array };
    r.record(5);
    assert.deepEqual(
      r.sent.slice(-2).map((s) => [s.at, s.first, s.last, s.dropped]),
      [
        [0, 16, 20, undefined],
        [0, 16, 20, { from: 11, to: 15 }],
      ],
      'refused as a gap, then sent again at once declaring 11..15 dropped',
    );
    assert.deepEqual(r.rewinds, [{ hubSeq: 10, ackedSeq: 15, from: 11, to: 15 }]);
    assert.deepEqual(r.hub.gaps, [{ from: 11, to: 15 }]);
    assert.equal(r.hub.known?.seq, 20);
    assert.deepEqual([r.uplink.stats.refusals, r.uplink.stats.rewinds, r.buffer.count], [1, 1, 0]);
    r.record(5);
    assert.deepEqual(r.sent.at(-1), { at: 0, first: 21, last: 25 }, 'and the chain goes on, no range declared');
  });

  it('a hub restored before the node ever reached it (it holds nothing): the range starts at seq 1', () => {
    const r = rig();
    r.record(10);
    r.hub.known = undefined;
    r.record(3);
    assert.deepEqual(r.sent.at(-1)?.dropped, { from: 1, to: 10 });
    assert.deepEqual(r.hub.gaps, [{ from: 1, to: 10 }]);
    assert.equal((r.hub.known as EventLogHead | undefined)?.seq, 13);
  });

  it('a range the buffer dropped on overflow since the last ack is covered by the same declaration', () => {
    let away = false;
    const r = rig((_b) => (away ? { ok: false, refused: false, message: 'no hub' } : undefined), 1024);
    r.record(10);
    r.record(5);
    away = true;
    r.record(20); // 16..35 in a budget of ten entries: 16..25 dropped
    assert.deepEqual(r.buffer.dropped, { from: 16, to: 25 });
    // The hub comes back restored to seq 10, not the 15 it had acknowledged.
    r.hub.known = { seq: 10, hash: r.hub.heads.get(10) as Uint8Array };
    away = false;
    r.clock.runFor(60_000);
    assert.deepEqual(
      r.sent.filter((s) => s.first === 26).map((s) => s.dropped),
      [
        { from: 16, to: 25 }, // while the hub was away
        { from: 16, to: 25 }, // refused: the hub holds 10
        { from: 11, to: 25 },
      ],
    );
    assert.deepEqual(r.hub.gaps, [{ from: 11, to: 25 }]);
    assert.equal(r.hub.known?.seq, 35);
  });
});

describe('a gap refusal that is not a lost hub keeps its refusal', () => {
  const gap = (seq: number): UplinkResult => ({ ok: false, refused: true, status: 409, code: 'gap', message: `stored up to seq ${seq}`, head: { seq } });

  it('a hub claiming a head the node never had acknowledged (ahead of its acks) gets no dropped range, only retries with backoff', () => {
    let claim = false;
    const r = rig(() => (claim ? gap(50) : undefined));
    r.record(10);
    claim = true;
    r.record(5);
    r.clock.runFor(10_000);
    assert.ok(r.sent.length >= 4);
    assert.ok(
      r.sent.every((s) => s.dropped === undefined),
      'never a dropped range',
    );
    assert.deepEqual(
      r.sent.slice(2).map((s) => s.at),
      [0, 1000, 3000, 7000],
      'the refusal is retried with backoff',
    );
    assert.deepEqual([r.uplink.stats.rewinds, r.rewinds.length, r.buffer.count], [0, 0, 5], 'and the node still holds 11..15');
  });

  it('a hub claiming exactly what it acknowledged, or a head inside what the node still holds: no dropped range', () => {
    for (const head of [10, 12]) {
      let claim = false;
      const r = rig(() => (claim ? gap(head) : undefined));
      r.record(10);
      claim = true;
      r.record(5);
      r.clock.runFor(5000);
      assert.ok(
        r.sent.every((s) => s.dropped === undefined),
        `head ${head}: never a dropped range`,
      );
      assert.equal(r.uplink.stats.rewinds, 0);
    }
  });

  it('a hub that refuses the declaration too is not answered again: one recovery, then backoff', () => {
    let claim = false;
    const r = rig(() => (claim ? gap(3) : undefined));
    r.record(10);
    claim = true;
    r.record(5);
    r.clock.runFor(10_000);
    assert.deepEqual(
      r.sent.slice(2, 5).map((s) => [s.at, s.dropped]),
      [
        [0, undefined],
        [0, { from: 4, to: 10 }],
        [1000, { from: 4, to: 10 }],
      ],
    );
    assert.equal(r.uplink.stats.rewinds, 1);
    assert.deepEqual(
      r.sent.slice(2).map((s) => s.at),
      [0, 0, 1000, 3000, 7000],
      'bounded by the backoff',
    );
  });

  it('an old hub (no head in its refusal) is retried as before', () => {
    let claim = false;
    const r = rig(() => (claim ? { ok: false, refused: true, status: 409, code: 'gap', message: 'stored up to seq 3; entries start at seq 11' } : undefined));
    r.record(10);
    claim = true;
    r.record(5);
    r.clock.runFor(4000);
    assert.deepEqual(
      r.sent.slice(2).map((s) => [s.at, s.dropped]),
      [
        [0, undefined],
        [1000, undefined],
        [3000, undefined],
      ],
    );
  });
});

describe("a refusal's head, as the node reads it", () => {
  const body = (head: unknown) => JSON.stringify({ error: { code: 'gap', message: 'stored up to seq 3; entries start at seq 9', head } });
  const hash = 'ab'.repeat(32);

  it('seq and hash, or seq alone; anything else is ignored, not trusted', () => {
    const headOf = (h: unknown) => {
      const r = uplinkResult(409, body(h));
      return r.ok === false && r.refused ? r.head : 'not a refusal';
    };
    assert.deepEqual(headOf({ seq: 3, hash }), { seq: 3, hash });
    assert.deepEqual(headOf({ seq: 0 }), { seq: 0 });
    for (const bad of [{ seq: -1 }, { seq: 1.5 }, { seq: '3' }, { seq: 3, hash: 'xyz' }, { seq: 3, hash: 42 }, 'seq 3', null])
      assert.equal(headOf(bad), undefined, JSON.stringify(bad));
  });
});
