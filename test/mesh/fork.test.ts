import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { dispatch } from '../../host/cli/command.js';
import { meshCommand } from '../../host/cli/commands/mesh.js';
import type { MeshStatus } from '../../host/mesh/mesh-hub.js';
import { TestNode } from '../hub/helpers.js';
import { chainDigest, type Started, startPair } from './helpers.js';

async function mesh(h: Started, args: string[]): Promise<{ code: number; out: string }> {
  let out = '';
  const io = { stdin: async () => Buffer.alloc(0), out: (t: string) => void (out += t), err: (t: string) => void (out += t) };
  const code = await dispatch(meshCommand, [...args, '--hub', h.url, '--token', h.hub.ownerToken], ['fazt', 'mesh'], io);
  return { code, out };
}

describe('a fork: two validly signed chains from one node key', () => {
  let p: Awaited<ReturnType<typeof startPair>>;
  // One key, two histories: the node lost its log and started again (or its key was copied).
  const one = new TestNode(71);
  const two = new TestNode(71);
  before(async () => {
    p = await startPair({ log: () => {} });
    for (const h of [p.a, p.b]) h.hub.cartridge.addNode(one.identity.publicKey);
    one.append(8);
    two.append(5, 'sensor.other');
    p.a.hub.cartridge.ingestBatch(one.batch(1, 8));
    p.b.hub.cartridge.ingestBatch(two.batch(1, 5));
  });
  after(() => p.stop());

  it('both hubs record the fork as proof, neither picks a winner, and `fazt mesh sync` says so', async () => {
    const { a, b } = p;
    const before = [chainDigest(a.hub, one.id), chainDigest(b.hub, one.id)];
    for (const [h, other] of [
      [a, b],
      [b, a],
    ] as const) {
      const r = await mesh(h, ['sync', '--json']);
      assert.equal(r.code, 1, r.out);
      const [round] = (JSON.parse(r.out) as { rounds: { peer: string; figures: { errors: { node: string; code: string }[] } }[] }).rounds;
      assert.equal(round.peer, other.hub.mesh.id);
      assert.deepStrictEqual(
        round.figures.errors.map((e) => [e.node, e.code]),
        [[one.id, 'fork']],
      );
    }
    assert.deepStrictEqual([chainDigest(a.hub, one.id), chainDigest(b.hub, one.id)], before, 'each keeps what it had');
    for (const [h, other] of [
      [a, b],
      [b, a],
    ] as const) {
      const forks = h.hub.mesh.store.records.forks();
      assert.deepStrictEqual(
        forks.map((f) => [f.node, f.seq, f.fromPeer]),
        [[one.id, 1, other.hub.mesh.id]],
      );
      const fork = [...h.hub.cartridge.chain(h.hub.mesh.id)].find((e) => e.type === 'system.mesh.fork');
      assert.deepStrictEqual(fork?.data, { node: one.id, seq: 1, peer: other.hub.mesh.id });
    }
    // Another round records nothing new: the same proof is kept once.
    await a.hub.mesh.syncNow();
    assert.equal(a.hub.mesh.store.records.forks().length, 1);
  });

  it('`fazt mesh status` shows the fork, the peers and their last round', async () => {
    const { a, b } = p;
    const json = await mesh(a, ['status', '--json']);
    assert.equal(json.code, 0);
    const s = JSON.parse(json.out) as MeshStatus;
    assert.equal(s.hub, a.hub.mesh.id);
    assert.deepStrictEqual(
      s.peers.map((x) => x.hub),
      [b.hub.mesh.id],
    );
    assert.ok(s.peers[0].last && 'figures' in s.peers[0].last);
    assert.deepStrictEqual(
      s.forks.map((f) => [f.node, f.seq]),
      [[one.id, 1]],
    );
    const text = await mesh(a, ['status']);
    assert.match(text.out, new RegExp(`FORK ${one.id} at seq 1 .*neither chain wins`));
  });
});
