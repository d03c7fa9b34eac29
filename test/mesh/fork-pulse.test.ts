import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { ValueMap } from '../../firmware/codec/value.js';
import { get, TestNode } from '../hub/helpers.js';
import { startPair } from './helpers.js';

/** A fork the mesh saw is a Pulse issue (node.forked, citing system.mesh.fork) and marks the node in GET /v1/nodes. */
describe('a forked node in Pulse and the nodes list', () => {
  let p: Awaited<ReturnType<typeof startPair>>;
  const one = new TestNode(81);
  const two = new TestNode(81); // the same key, another history
  const calm = new TestNode(82);
  before(async () => {
    p = await startPair({ pulse: { everyMs: 0 }, log: () => {} });
    for (const h of [p.a, p.b]) for (const n of [one, calm]) h.hub.cartridge.addNode(n.identity.publicKey);
    one.append(6);
    two.append(4, 'sensor.other');
    calm.append(3);
    p.a.hub.cartridge.ingestBatch(one.batch(1, 6));
    p.a.hub.cartridge.ingestBatch(calm.batch(1, 3));
    p.b.hub.cartridge.ingestBatch(two.batch(1, 4));
  });
  after(() => p.stop());

  it('before any fork: node.forked is healthy for every node', () => {
    const verdicts = p.a.hub.pulse!.beat().judgement.verdicts.filter((v) => v.check === 'node.forked');
    assert.deepStrictEqual(
      verdicts.map((v) => [v.subject, v.status]).sort(),
      [one.id, calm.id].sort().map((id) => [id, 'healthy']),
    );
  });

  it('after the sync shows the fork: critical with the seq, the change cites the system.mesh.fork event', async () => {
    const { a, b } = p;
    const f = await a.hub.mesh.round(a.hub.mesh.store.peers.get(b.hub.mesh.id)!);
    assert.deepStrictEqual(
      f.errors.map((e) => [e.node, e.code]),
      [[one.id, 'fork']],
    );
    const answer = a.hub.pulse!.beat();
    const v = answer.judgement.verdicts.find((x) => x.check === 'node.forked' && x.subject === one.id);
    assert.equal(v?.status, 'critical');
    assert.equal(v?.value, 1);
    assert.match(v?.text ?? '', /forked at seq 1/);
    assert.equal(answer.judgement.verdicts.find((x) => x.check === 'node.forked' && x.subject === calm.id)?.status, 'healthy');
    assert.match(answer.text, /forked/i);
    const chain = [...a.hub.cartridge.chain(a.hub.hubLog.id)];
    const fork = chain.find((e) => e.type === 'system.mesh.fork');
    assert.ok(fork);
    const change = chain.find((e) => e.type === 'pulse.critical' && (e.data as ValueMap).check === 'node.forked');
    assert.ok(change, chain.map((e) => e.type).join());
    assert.ok(((change.data as ValueMap).causes as string[]).includes(fork.id), 'the change cites the fork event');
  });

  it('GET /v1/nodes marks the forked node with the seq', async () => {
    const r = await get(`${p.a.url}/v1/nodes`);
    assert.equal(r.status, 200);
    const nodes = r.body.nodes as { id: string; forkedAt: number | null }[];
    assert.deepStrictEqual(
      nodes.map((n) => [n.id, n.forkedAt]).sort(),
      [
        [one.id, 1],
        [calm.id, null],
      ].sort(),
    );
  });
});
