import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { encodeCbor } from '../../firmware/codec/cbor-encode.js';
import { toHex } from '../../firmware/codec/text-encodings.js';
import { nobleCrypto } from '../../firmware/crypto/noble-crypto.js';
import { entryToValue } from '../../firmware/event/envelope.js';
import { EventLog } from '../../firmware/event/event-log.js';
import { checkContinuity, checkLinks } from '../../firmware/event/verify-chain.js';
import { identityFromSecretKey } from '../../firmware/identity/node-id.js';
import { adoptHubHead } from '../../firmware/node/chain-adoption.js';
import { Downlink } from '../../firmware/node/downlink.js';
import { NodeOutputs } from '../../firmware/node/node-outputs.js';
import { NodeState } from '../../firmware/node/node-state.js';
import { signAck } from '../../firmware/uplink/signed-ack.js';
import { OfflineBuffer } from '../../firmware/uplink/offline-buffer.js';
import { checkHubHead, signHubHead } from '../../firmware/uplink/signed-head.js';
import type { UplinkResult } from '../../firmware/uplink/transport.js';
import { Uplink } from '../../firmware/uplink/uplink.js';
import { memoryPreferences, type Preferences } from '../../hal/contracts/preferences.js';
import { VirtualClock } from '../../sim/world/virtual-clock.js';

const crypto = nobleCrypto;
const hub = identityFromSecretKey(new Uint8Array(32).fill(1), crypto);
const node = identityFromSecretKey(new Uint8Array(32).fill(2), crypto);
const other = identityFromSecretKey(new Uint8Array(32).fill(3), crypto);
const batchHead = new Uint8Array(32).fill(9);
const hubChain = { seq: 41, hash: new Uint8Array(32).fill(4) };

describe("a hub's signed head (chain-broken refusal)", () => {
  const signed = signHubHead(node.id, hubChain, batchHead, hub, crypto);
  const check = (h: typeof signed | { seq: number; hash?: string; sig?: string }, n = node.id, b = batchHead, key = hub.publicKey) =>
    checkHubHead(h, { node: n, batch: b }, key, crypto);

  it('verifies for the node and the batch it was signed for, giving the head', () => {
    assert.deepEqual(check(signed), { ok: true, head: hubChain });
  });
  it('is refused unsigned, forged, by another key, for another node, for another batch (an old refusal replayed), or malformed', () => {
    const flipped = (signed.sig.startsWith('0') ? '1' : '0') + signed.sig.slice(1);
    const refusals = [
      check({ seq: signed.seq, hash: signed.hash }),
      check({ ...signed, sig: flipped }),
      check({ ...signed, seq: 40 }),
      check(signed, node.id, batchHead, other.publicKey),
      check(signed, other.id),
      check(signed, node.id, new Uint8Array(32).fill(8)),
      check({ ...signed, hash: 'zz' }),
    ];
    assert.deepEqual(
      refusals.map((r) => r.ok),
      refusals.map(() => false),
    );
    assert.match((refusals[0] as { message: string }).message, /not signed/);
    assert.match((refusals[5] as { message: string }).message, /does not verify/);
    assert.match((refusals[6] as { message: string }).message, /64-hex-digit hash/);
  });
});

/** Preferences that count their writes. */
function counted(): Preferences & { writes: number } {
  const p = memoryPreferences();
  const c = {
    writes: 0,
    get: p.get,
    delete: p.delete,
    keys: p.keys,
    set: (d: string, k: string, v: Parameters<Preferences['set']>[2]) => {
      c.writes++;
      p.set(d, k, v);
    },
  };
  return c;
}

describe('NodeState (the chain head and last command across restarts)', () => {
  it('keeps {seq, hash, from} as one value under domain fazt, written only when it changed, and the command seq', () => {
    const prefs = counted();
    const s = new NodeState(prefs);
    assert.equal(s.chain(), undefined);
    assert.deepEqual(s.commandSeqs(hub.id), {});
    s.saveChain({ seq: 12, hash: hubChain.hash, from: 9 });
    s.saveChain({ seq: 12, hash: hubChain.hash, from: 9 }); // the same batch sent again
    assert.equal(prefs.writes, 1);
    s.saveCommandSeqs({ [hub.id]: 3 });
    assert.deepEqual(prefs.keys('fazt').sort(), ['chain', 'cmd']);
    const again = new NodeState(prefs);
    assert.deepEqual(again.chain(), { seq: 12, hash: hubChain.hash, from: 9 });
    assert.deepEqual(again.commandSeqs(hub.id), { [hub.id]: 3 });
  });
  it("reads the single command seq of a node from before several hubs as its configuration's hub's, and keeps each hub's apart", () => {
    const prefs = memoryPreferences();
    prefs.set('fazt', 'cmd', 7);
    const s = new NodeState(prefs);
    assert.deepEqual(s.commandSeqs(hub.id), { [hub.id]: 7 });
    const second = identityFromSecretKey(new Uint8Array(32).fill(77), crypto).id;
    s.saveCommandSeqs({ [hub.id]: 7, [second]: 2 });
    assert.deepEqual(new NodeState(prefs).commandSeqs(hub.id), { [hub.id]: 7, [second]: 2 });
    prefs.set('fazt', 'cmd', encodeCbor({ 'not-a-hub': 1 }));
    const said: string[] = [];
    assert.deepEqual(
      new NodeState(prefs).commandSeqs(hub.id, (m) => said.push(m)),
      {},
    );
    assert.match(said[0], /persisted command seqs are unreadable/);
  });
  it('an unreadable head is no head, and says so', () => {
    const prefs = memoryPreferences();
    prefs.set('fazt', 'chain', encodeCbor([0, new Uint8Array(3), 1]));
    const said: string[] = [];
    assert.equal(
      new NodeState(prefs).chain((m) => said.push(m)),
      undefined,
    );
    assert.match(said[0], /persisted chain head is unreadable .*starting a new chain/);
  });
});

function entries(n: number) {
  const log = new EventLog({ nodeId: node.id, crypto, clock: () => 1000 });
  const buffer = new OfflineBuffer(64 * 1024);
  for (let i = 0; i < n; i++) buffer.push(log.append('sensor.reading', 'bme280', { value: i }), 100, 0);
  return { log, buffer };
}

describe('Uplink.onSigned (the head persisted before a batch leaves)', () => {
  it('gets each batch’s first seq the hub may lack, its last seq and head before the send; when it throws, nothing is sent and it retries with backoff', () => {
    const clock = new VirtualClock(0);
    const { buffer } = entries(3);
    buffer.makeRoom(64 * 1024 - 150); // the oldest two go: the batch declares 1..2 dropped
    const sent: number[] = [];
    const signed: { from: number; last: number; head: string }[] = [];
    let fail = true;
    const uplink = new Uplink({
      identity: node,
      crypto,
      time: clock,
      buffer,
      batchSize: 8,
      maxDelayMs: 0,
      transport: { send: (_b, done) => done((sent.push(clock.now()), { ok: true, ack: { ack: 3, stored: 1 } }) as UplinkResult) },
      onSigned: (b) => {
        signed.push({ from: b.from, last: b.last, head: toHex(b.head) });
        if (fail) throw new Error('flash full');
      },
    });
    uplink.start();
    clock.runFor(500);
    assert.deepEqual(sent, [], 'not persisted, not sent');
    assert.equal(uplink.stats.failures, 1);
    fail = false;
    clock.runFor(1000);
    assert.deepEqual(sent, [1000]);
    assert.deepEqual(
      signed.map((s) => [s.from, s.last]),
      [
        [1, 3],
        [1, 3],
      ],
    );
  });
});

describe('Uplink.ackedSeq (what the hub had acknowledged before the restart)', () => {
  it('lets a restarted node sign for what a hub restored behind it lost, as one that never restarted does', () => {
    const clock = new VirtualClock(0);
    const log = new EventLog({ nodeId: node.id, crypto, clock: () => 1000, head: { seq: 14, hash: new Uint8Array(32).fill(5) } });
    const buffer = new OfflineBuffer(64 * 1024);
    buffer.lost(11, 14); // persisted [seq 14, from 11]: the restart took 11..14
    buffer.push(log.append('system.boot', 'node', null), 100, 0);
    const rewinds: unknown[] = [];
    const answers: UplinkResult[] = [
      { ok: false, refused: true, status: 409, code: 'gap', message: 'stored up to seq 6', head: { seq: 6, hash: 'ab'.repeat(32) } },
    ];
    const uplink = new Uplink({
      identity: node,
      crypto,
      time: clock,
      buffer,
      batchSize: 8,
      maxDelayMs: 0,
      ackedSeq: 10,
      transport: { send: (_b, done) => done(answers.shift() ?? { ok: true, ack: { ack: 15, stored: 1 } }) },
      onRewind: (r) => void rewinds.push(r),
    });
    uplink.start();
    clock.runFor(100);
    assert.deepEqual(rewinds, [{ hubSeq: 6, ackedSeq: 10, from: 7, to: 14 }]);
    assert.deepEqual([uplink.stats.rewinds, uplink.stats.acked, buffer.count], [1, 1, 0]);
  });
});

describe('adoptHubHead (a node that lost its state continues from its hub’s signed head)', () => {
  it('relinks what it buffers after the head, so the hub takes it as the continuation', () => {
    const { log, buffer } = entries(3);
    const recorded: unknown[] = [];
    const o = {
      nodeId: node.id,
      hubKey: hub.publicKey,
      crypto,
      log,
      buffer,
      size: (e: Parameters<typeof entryToValue>[0]) => encodeCbor(entryToValue(e)).length,
      adopted: (d: unknown) => void recorded.push(d),
    };
    const warned: string[] = [];
    const forged = { ...signHubHead(node.id, hubChain, batchHead, other, crypto) };
    assert.equal(adoptHubHead(forged, batchHead, { ...o, warn: (l) => warned.push(l) }), false);
    assert.equal(buffer.firstSeq, 1, 'a forged head changes nothing');
    assert.match(warned[0], /ignored the hub's head .*does not verify/);
    assert.equal(adoptHubHead(signHubHead(node.id, hubChain, batchHead, hub, crypto), batchHead, o), true);
    assert.deepEqual(recorded, [{ hubSeq: 41, relinked: 3, from: 1 }]);
    const moved = buffer.peek(8);
    assert.deepEqual(
      moved.map((e) => [e.seq, (e.data as { value: number }).value]),
      [
        [42, 0],
        [43, 1],
        [44, 2],
      ],
    );
    assert.equal(checkContinuity(node.id, moved, checkLinks(node.id, moved, crypto), hubChain).length, 3);
    assert.equal(log.append('system.boot', 'node', null).seq, 45);
  });
});

describe('Downlink across a restart (the last command seq persisted)', () => {
  const T = Date.UTC(2026, 5, 1);
  const head = new Uint8Array(32).fill(6);
  const command = (seq: number) => ({ id: `aaaaaaaaaaaaaaa${'bcdefg'[seq]}`, seq, action: { output: 'relay', op: 'on' as const }, notAfter: T + 60_000 });
  const answer = signAck({ node: node.id, ack: 9, stored: 1, time: T, commands: [command(3), command(4)], head, nonce: null }, hub, crypto);
  const downlink = (onCommandSeq: (seq: number) => void, said: string[] = []) => {
    const trail: string[] = [];
    const d = new Downlink({
      nodeId: node.id,
      hubKey: hub.publicKey,
      crypto,
      outputs: new NodeOutputs([]),
      now: () => T,
      record: (type, _c, data) => void trail.push(`${type} ${(data as { seq: number }).seq}`),
      onTime: () => undefined,
      log: (l) => void said.push(l),
      lastCommandSeq: 3,
      onCommandSeq: (seq) => {
        trail.push(`persist ${seq}`);
        onCommandSeq(seq);
      },
    });
    return { d, trail };
  };

  it('skips what was handled before the boot, and persists a seq before acting on it', () => {
    const { d, trail } = downlink(() => undefined);
    assert.equal(d.answer(answer, { head, nonce: null, sentAt: 0, receivedAt: 0 }), 1);
    // The node has no output 'relay': the command is refused, an outcome like any other.
    assert.deepEqual(trail, ['persist 4', 'effect.refused 4']);
    assert.deepEqual([d.stats.duplicates, d.lastCommandSeq], [1, 4]);
  });
  it('does not act on a command whose seq cannot be persisted (at most once), and says why', () => {
    const said: string[] = [];
    const { d, trail } = downlink(() => {
      throw new Error('NVS full');
    }, said);
    assert.equal(d.answer(answer, { head, nonce: null, sentAt: 0, receivedAt: 0 }), 0);
    assert.deepEqual(trail, ['persist 4']);
    assert.equal(d.lastCommandSeq, 3);
    assert.match(said[0], /command seq 4 not acted on: it could not be persisted \(NVS full\)/);
  });
});
