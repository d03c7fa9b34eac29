import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ReplicationScope } from '../../host/mesh/replication-scope.js';
import { startHub, TestNode } from '../hub/helpers.js';
import { makeInvite, peersOf, postJson, type RunningHub } from './pair-helpers.js';

describe('which nodes a hub replicates with each peer', () => {
  let a: RunningHub;
  let b: RunningHub;
  let peer: string;
  const n1 = new TestNode(0x11).id;
  const n2 = new TestNode(0x12).id;
  before(async () => {
    a = await startHub();
    b = await startHub();
    const r = await postJson(`${b.url}/v1/mesh/pair/accept`, { token: (await makeInvite(a)).token });
    assert.equal(r.status, 200, JSON.stringify(r.body));
    peer = b.hub.hubLog.id;
  });
  after(async () => {
    await Promise.all([a.stop(), b.stop()]);
  });

  it('every node by default', () => {
    const scope = new ReplicationScope(a.hub.cartridge.db);
    assert.equal(scope.only(peer), undefined);
    assert.ok(scope.replicates(peer, n1) && scope.replicates(peer, n2));
  });

  it('--only: just the listed nodes, kept in the cartridge; null is every node again', async () => {
    const r = await postJson(`${a.url}/v1/mesh/peers/only`, { hub: peer, nodes: [n2, n1, n1] });
    assert.equal(r.status, 200, JSON.stringify(r.body));
    assert.deepEqual(r.body.only, [n1, n2].sort());
    const scope = new ReplicationScope(a.hub.cartridge.db);
    await postJson(`${a.url}/v1/mesh/peers/only`, { hub: peer, nodes: [n1] });
    assert.equal(scope.replicates(peer, n1), true);
    assert.equal(scope.replicates(peer, n2), false);
    assert.equal(scope.replicates('fzsomeotherpeeraaaaaaaaaaa', n2), true, 'another peer keeps the default');
    assert.deepEqual((await peersOf(a)).find((p) => p.hub === peer)?.only, [n1]);
    await postJson(`${a.url}/v1/mesh/peers/only`, { hub: peer, nodes: null });
    assert.equal(scope.replicates(peer, n2), true);
    assert.equal((await peersOf(a)).find((p) => p.hub === peer)?.only, null);
  });

  it('refuses what is not a node id, an empty list and an unpaired hub, changing nothing', async () => {
    const bad = await postJson(`${a.url}/v1/mesh/peers/only`, { hub: peer, nodes: ['kitchen'] });
    assert.equal(bad.status, 400);
    assert.match(bad.body.error?.message ?? '', /'kitchen' is not a node id/);
    assert.equal((await postJson(`${a.url}/v1/mesh/peers/only`, { hub: peer, nodes: [] })).status, 400);
    const unpaired = await postJson(`${a.url}/v1/mesh/peers/only`, { hub: n1, nodes: [n1] });
    assert.equal(unpaired.status, 404);
    assert.equal(unpaired.body.error?.code, 'unpaired');
    assert.equal((await peersOf(a)).find((p) => p.hub === peer)?.only, null);
  });

  it('--set-url: where a peer is reached; null leaves it to Beacon', async () => {
    const r = await postJson(`${a.url}/v1/mesh/peers/url`, { hub: peer, url: 'http://192.0.2.7:7070/' });
    assert.equal(r.status, 200, JSON.stringify(r.body));
    assert.equal((await peersOf(a)).find((p) => p.hub === peer)?.url, 'http://192.0.2.7:7070');
    await postJson(`${a.url}/v1/mesh/peers/url`, { hub: peer, url: null });
    assert.equal((await peersOf(a)).find((p) => p.hub === peer)?.url, null);
    assert.equal((await postJson(`${a.url}/v1/mesh/peers/url`, { hub: peer, url: 'ftp://x' })).status, 400);
  });
});
