import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { createBatch } from '../../firmware/batch/batch.js';
import { toHex } from '../../firmware/codec/text-encodings.js';
import type { ValueMap } from '../../firmware/codec/value.js';
import type { EventEntry } from '../../firmware/event/envelope.js';
import { identityFromSecretKey, type NodeIdentity } from '../../firmware/identity/node-id.js';
import { HubLog } from '../../host/hub/hub-log.js';
import { applyPeerAdmin } from '../../host/mesh/peer-admin.js';
import { PeerBook } from '../../host/mesh/peer-book.js';
import { Cartridge } from '../../host/store/cartridge.js';
import { crypto, TestNode, tempDir } from '../hub/helpers.js';

const tmp = tempDir('fazt-peer-admin-');
const opened: Cartridge[] = [];
after(() => {
  for (const c of opened) c.close();
  tmp.cleanup();
});
const now = Date.UTC(2026, 0, 1);
const by = { token: 'tabcdefgh', name: 'owner', via: 'bearer' };
let n = 0;

/** A hub: its cartridge and its own chain (a real HubLog), keyed by seed. */
function hub(seed: number): { cartridge: Cartridge; log: HubLog; identity: NodeIdentity; entries: () => EventEntry[] } {
  const cartridge = Cartridge.open(`${tmp.dir}/hub-${++n}.db`, { clock: () => now });
  opened.push(cartridge);
  const identity = identityFromSecretKey(new Uint8Array(32).fill(seed), crypto);
  const log = new HubLog({ cartridge, identity, crypto, clock: () => now });
  return { cartridge, log, identity, entries: () => [...cartridge.chain(identity.id)] };
}

const enrolled = (node: TestNode, extra: ValueMap = {}): ValueMap => ({ node: node.id, publicKey: toHex(node.identity.publicKey), existed: false, ...extra });
const row = (c: Cartridge, id: string) => c.nodes().find((x) => x.id === id);

describe('applyPeerAdmin: a paired hub’s administration of nodes, from its chain', () => {
  it('registers an enrolled node with its key, renames, retires and revokes it; applying again changes nothing; the revoked node’s uplink is then refused here', () => {
    const peer = hub(201);
    const local = hub(202);
    const node = new TestNode(171);
    peer.log.append('system.node.enrolled', 'enrol', enrolled(node, { name: 'porch', board: 'esp32-devkitc' }));
    peer.log.append('system.node.renamed', 'owner', { node: node.id, name: 'front porch', previous: 'porch', by });
    peer.log.append('system.node.retired', 'owner', { node: node.id, by });

    const first = applyPeerAdmin(local.cartridge, peer.identity.id, peer.entries(), now);
    assert.deepStrictEqual(
      first.map((o) => [o.type, o.result]),
      [
        ['system.node.enrolled', 'applied'],
        ['system.node.renamed', 'applied'],
        ['system.node.retired', 'applied'],
      ],
    );
    assert.deepStrictEqual(local.cartridge.nodeKey(node.id)?.publicKey, node.identity.publicKey);
    const r = row(local.cartridge, node.id);
    assert.deepStrictEqual([r?.name, r?.board, r?.retiredAt, r?.revokedAt], ['front porch', 'esp32-devkitc', now, null]);

    node.append(2);
    assert.equal(local.cartridge.ingestBatch(node.batch(1, 2)).ack, 2, 'a retired node still uplinks');

    peer.log.append('system.node.revoked', 'owner', { node: node.id, by });
    const again = applyPeerAdmin(local.cartridge, peer.identity.id, peer.entries(), now + 5);
    assert.deepStrictEqual(
      again.map((o) => o.result),
      ['unchanged', 'unchanged', 'unchanged', 'applied'],
    );
    assert.equal(row(local.cartridge, node.id)?.revokedAt, now + 5);
    assert.deepStrictEqual(
      applyPeerAdmin(local.cartridge, peer.identity.id, peer.entries(), now + 9).map((o) => o.result),
      ['unchanged', 'unchanged', 'unchanged', 'unchanged'],
      'idempotent',
    );

    const events = local.cartridge.counts().events;
    node.append(1);
    assert.throws(() => local.cartridge.ingestBatch(node.batch(3, 3)), { code: 'node-revoked' });
    assert.equal(local.cartridge.counts().events, events, 'nothing stored');
  });

  it('keeps a revocation whatever comes later from any hub: a later rename or re-enrolment does not undo it', () => {
    const a = hub(203);
    const b = hub(204);
    const local = hub(205);
    const node = new TestNode(172);
    a.log.append('system.node.enrolled', 'enrol', enrolled(node, { name: 'shed' }));
    applyPeerAdmin(local.cartridge, a.identity.id, a.entries(), now);
    applyPeerAdmin(b.cartridge, a.identity.id, a.entries(), now);
    b.log.append('system.node.revoked', 'owner', { node: node.id, by });
    applyPeerAdmin(local.cartridge, b.identity.id, b.entries(), now + 1);
    a.log.append('system.node.renamed', 'owner', { node: node.id, name: 'shed 2', by });
    a.log.append('system.node.enrolled', 'enrol', enrolled(node, { existed: true, name: 'shed 3' }));
    const later = applyPeerAdmin(local.cartridge, a.identity.id, a.entries().slice(1), now + 2);
    assert.deepStrictEqual(
      later.map((o) => [o.type, o.result]),
      [
        ['system.node.renamed', 'applied'],
        ['system.node.enrolled', 'applied'],
      ],
    );
    const r = row(local.cartridge, node.id);
    assert.deepStrictEqual([r?.name, r?.revokedAt], ['shed 3', now + 1], 'the re-enrolment renamed it; still revoked');
    assert.equal(local.cartridge.nodeKey(node.id)?.revoked, true);
  });

  it('a revocation that arrives before the enrolment (from another hub) is applied when the enrolment comes', () => {
    const a = hub(206);
    const b = hub(207);
    const local = hub(208);
    const node = new TestNode(173);
    a.log.append('system.node.enrolled', 'enrol', enrolled(node));
    applyPeerAdmin(b.cartridge, a.identity.id, a.entries(), now);
    b.log.append('system.node.revoked', 'owner', { node: node.id, by });
    // The local hub holds b's chain (paired, replicated) before it hears of a's enrolment.
    new PeerBook(local.cartridge.db, crypto).add({ publicKey: b.identity.publicKey }, now);
    local.cartridge.addNode(b.identity.publicKey);
    local.cartridge.ingestBatch(createBatch(b.entries(), b.identity, crypto));
    const early = applyPeerAdmin(local.cartridge, b.identity.id, b.entries(), now);
    assert.deepStrictEqual(
      early.map((o) => [o.result, o.reason?.split(':')[0]]),
      [['ignored', 'unknown-node']],
    );
    applyPeerAdmin(local.cartridge, a.identity.id, a.entries(), now + 3);
    assert.equal(local.cartridge.nodeKey(node.id)?.revoked, true);
    node.append(1);
    assert.throws(() => local.cartridge.ingestBatch(node.batch(1, 1)), { code: 'node-revoked' });
  });

  it('ignores and reports a forged enrolment (an id that does not derive from the key) and events not on the peer’s chain', () => {
    const peer = hub(209);
    const other = hub(210);
    const local = hub(211);
    const victim = new TestNode(174);
    const attacker = new TestNode(175);
    peer.log.append('system.node.enrolled', 'enrol', { node: victim.id, publicKey: toHex(attacker.identity.publicKey), existed: false });
    const [forged] = applyPeerAdmin(local.cartridge, peer.identity.id, peer.entries(), now);
    assert.equal(forged.result, 'ignored');
    assert.match(forged.reason ?? '', new RegExp(`forged enrolment: the key's id is ${attacker.id}, not ${victim.id}`));
    assert.equal(local.cartridge.hasNode(victim.id), false);
    assert.equal(local.cartridge.hasNode(attacker.id), false);

    other.log.append('system.node.enrolled', 'enrol', enrolled(victim));
    const [foreign] = applyPeerAdmin(local.cartridge, peer.identity.id, other.entries(), now);
    assert.deepStrictEqual([foreign.result, foreign.reason], ['ignored', `not on the chain of peer ${peer.identity.id} (source ${other.identity.id}/enrol)`]);
    assert.equal(local.cartridge.hasNode(victim.id), false);
    assert.throws(() => applyPeerAdmin(local.cartridge, 'nope', [], now), /peer must be a hub id/);
  });
});
