import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { entryHash } from '../../firmware/event/envelope.js';
import { verifyChain } from '../../firmware/event/verify-chain.js';
import { Cartridge } from '../../host/store/cartridge.js';
import { ROLLUP_TIERS } from '../../host/store/rollup-tiers.js';
import { cbor, crypto, json, tempDir, TestNode } from './helpers.js';
import { within } from '../helpers/wait.js';
import { killHard, type ScriptChild, startFaztHub, stopGently } from '../helpers/child-process.js';

const KILLS = 24;
const NODES = 3;
const MAX_EVENTS_PER_NODE = 4000;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

describe('crash safety', () => {
  it(`every acknowledged event survives ${KILLS} kill -9s of the hub during ingest, exactly once, chains intact`, { timeout: 90_000 }, async (t) => {
    const tmp = tempDir('fazt-crash-');
    t.after(() => tmp.cleanup()); // a failed cycle leaves no folder behind either
    const nodes = Array.from({ length: NODES }, (_, i) => new TestNode(61 + i));
    const setup = Cartridge.open(join(tmp.dir, 'fazt.db'));
    for (const n of nodes) setup.addNode(n.identity.publicKey);
    setup.close();

    const acked = new Map(nodes.map((n) => [n.id, 0]));
    const ackLog: { node: string; ack: number }[] = [];
    const violations: string[] = [];
    let requests = 0;
    let failures = 0;

    // The hub taking uplinks; while there is none, the senders wait for the next one's start (undefined: the test is over), not on a timer.
    type LiveHub = ScriptChild & { url: string };
    let hub: LiveHub | undefined;
    let announce: (h: LiveHub | undefined) => void = () => {};
    let nextHub = new Promise<LiveHub | undefined>((r) => (announce = r));
    const hubUp = (h: LiveHub | undefined) => {
      hub = h;
      announce(h);
      if (h) nextHub = new Promise((r) => (announce = r));
    };
    // Resolved once the acknowledgements reach a count the cycle waits for.
    let acksReached = { count: Number.POSITIVE_INFINITY, resolve: () => {} };

    // One sender per node: retransmit from the last ack until acknowledged, as the firmware's uplink does.
    const sender = async (n: TestNode) => {
      for (let round = 0; round < 1_000_000; round++) {
        const h = hub ?? (await nextHub);
        if (!h) return;
        const ack = acked.get(n.id) ?? 0;
        if (n.entries.length - ack < 32 && n.entries.length < MAX_EVENTS_PER_NODE) n.append(16);
        const last = Math.min(n.entries.length, ack + 1 + Math.floor(Math.random() * 32));
        if (last <= ack) return; // all it may send is acknowledged: nothing left to send
        // Mostly fresh entries; sometimes an overlapping retransmit, sometimes JSON.
        const first = Math.max(1, ack + 1 - (round % 5 === 0 ? 3 : 0));
        const b = n.batch(first, last);
        const asJson = round % 3 === 0;
        requests++;
        try {
          const res = await fetch(`${h.url}/v1/uplink`, {
            method: 'POST',
            body: asJson ? json(b) : cbor(b),
            headers: { 'content-type': asJson ? 'application/json' : 'application/cbor' },
            signal: AbortSignal.timeout(5000),
          });
          const body = (await res.json()) as { ack?: number; error?: { code: string } };
          if (res.status !== 200 || typeof body.ack !== 'number') {
            violations.push(`${n.id}: ${res.status} ${JSON.stringify(body)} for ${first}..${last} after ack ${ack}`);
            await sleep(10);
            continue;
          }
          if (body.ack < (acked.get(n.id) ?? 0)) violations.push(`${n.id}: ack went back from ${acked.get(n.id)} to ${body.ack}`);
          acked.set(n.id, Math.max(body.ack, acked.get(n.id) ?? 0));
          ackLog.push({ node: n.id, ack: body.ack });
          if (ackLog.length >= acksReached.count) acksReached.resolve();
        } catch {
          failures++; // the hub died mid-request: retransmit to the next one, once this one is gone (a live hub's failure is retried at once)
          if (hub === h) await Promise.race([h.closed, sleep(100)]);
        }
      }
    };

    const senders = nodes.map((n) => sender(n));
    let kills = 0;
    const timing: { start: number; acks: number; cycle: number }[] = [];
    try {
      for (let cycle = 0; cycle < KILLS; cycle++) {
        const t0 = performance.now();
        const started = await startFaztHub(tmp.dir); // the built CLI: started 24 times, so not through tsx
        const t1 = performance.now();
        // Let it ingest: at least two fresh acks, then a random moment mid-stream.
        const twoAcks = new Promise<void>((resolve) => (acksReached = { count: ackLog.length + 2, resolve }));
        hubUp(started);
        await within(twoAcks, 15_000, `cycle ${cycle}: two acknowledgements from the new hub`); // bounded only to catch a hub that acknowledges nothing
        const t2 = performance.now();
        await sleep(Math.random() * 120);
        await killHard(started.proc);
        kills++;
        hub = undefined;
        timing.push({ start: t1 - t0, acks: t2 - t1, cycle: performance.now() - t0 });
      }
    } finally {
      const left = hub;
      hubUp(undefined);
      await Promise.all(senders);
      if (left) await killHard(left.proc);
    }

    // What the cartridge holds after the last kill -9.
    const c = Cartridge.open(join(tmp.dir, 'fazt.db'));
    try {
      assert.equal(c.db.pragma('integrity_check', { simple: true }), 'ok');
      const heads = new Map(c.nodes().map((x) => [x.id, x]));
      for (const n of nodes) {
        const stored = [...c.chain(n.id)];
        const head = heads.get(n.id);
        const maxAck = acked.get(n.id) ?? 0;
        assert.ok(maxAck > 50, `node ${n.id} got only ${maxAck} acknowledged`);
        assert.ok((head?.headSeq ?? 0) >= maxAck, `head ${head?.headSeq} below acknowledged ${maxAck}`);
        assert.equal(stored.length, head?.headSeq, 'seqs 1..head, each exactly once');
        stored.forEach((e, i) => assert.equal(e.seq, i + 1));
        assert.deepStrictEqual(stored, n.entries.slice(0, stored.length), 'stored exactly what the node sent');
        assert.equal(verifyChain(n.id, stored, crypto).fresh.length, stored.length, 'the chain verifies from seq 1');
        const headHash = c.db.prepare('SELECT head_hash FROM nodes WHERE id = ?').pluck().get(n.id) as Buffer;
        assert.deepStrictEqual(new Uint8Array(headHash), entryHash(stored[stored.length - 1], crypto));
      }
      // The rollups were written in the transactions that stored the entries: no kill leaves them disagreeing.
      for (const w of ROLLUP_TIERS) {
        const rollups = c.db.prepare('SELECT node, name, start, component, min, max, count FROM reading_rollups WHERE width = ? ORDER BY 1, 2, 3, 4').raw();
        const entries = c.db
          .prepare(
            `SELECT node, name, time - ((time % ${w}) + ${w}) % ${w} AS s, coalesce(component, 0) AS p, min(value), max(value), count(*)
            FROM entries WHERE name IS NOT NULL GROUP BY node, name, s, p ORDER BY 1, 2, 3, 4`,
          )
          .raw();
        assert.deepStrictEqual(rollups.all(w), entries.all(), `the ${w} ms rollups`);
      }
    } finally {
      c.close();
    }
    assert.deepStrictEqual(violations, []);
    assert.ok(kills >= 20);
    assert.ok(failures > 0, 'some kills hit requests in flight');
    t.diagnostic(`${kills} kills; ${requests} requests, ${ackLog.length} acknowledged, ${failures} cut by a kill; acks ${[...acked.values()].join(', ')}`);
    const ms = (k: 'start' | 'acks' | 'cycle') =>
      `${median(timing.map((x) => x[k])).toFixed(0)} ms (at most ${Math.max(...timing.map((x) => x[k])).toFixed(0)})`;
    t.diagnostic(`a cycle: ${ms('cycle')}; to listening ${ms('start')}, then two acknowledgements ${ms('acks')} (medians)`);
  });
  it('fazt hub stops cleanly on SIGTERM: exit 0, cartridge closed', { timeout: 30_000 }, async () => {
    const tmp = tempDir('fazt-term-');
    try {
      const hub = await startFaztHub(tmp.dir);
      assert.equal(await stopGently(hub), 0);
      assert.match(hub.out(), /hub stopped; cartridge closed/);
    } finally {
      tmp.cleanup();
    }
  });
});
