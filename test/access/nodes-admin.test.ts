import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { EventEntry } from '../../firmware/event/envelope.js';
import { createPoll } from '../../firmware/uplink/downlink-poll.js';
import { dispatch } from '../../host/cli/command.js';
import { nodeCommand } from '../../host/cli/commands/node.js';
import { cbor, crypto, post, startHub, TestNode } from '../hub/helpers.js';

type Started = Awaited<ReturnType<typeof startHub>>;
let h: Started;
const lost = new TestNode(141);
const kept = new TestNode(142);

const admin = (path: string, body: unknown, token = h.hub.ownerToken) =>
  fetch(`${h.url}${path}`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
const hubEvents = (type: string): EventEntry[] => [...h.hub.cartridge.chain(h.hub.hubLog.id)].filter((e) => e.type === type);

async function node(argv: string[]): Promise<string> {
  let out = '';
  const code = await dispatch(nodeCommand, argv, ['fazt', 'node'], { stdin: async () => Buffer.alloc(0), out: (t) => void (out += t), err: () => undefined });
  assert.equal(code, 0);
  return out;
}

before(async () => {
  h = await startHub({ log: () => undefined });
  h.hub.cartridge.addNode(lost.identity.publicKey, { name: 'porch', board: 'esp32-devkitc' });
  h.hub.cartridge.addNode(kept.identity.publicKey, { name: 'attic', board: 'esp32-devkitc' });
  lost.append(3);
  assert.equal((await post(`${h.url}/v1/uplink`, cbor(lost.batch(1, 3)))).status, 200);
});
after(() => h.stop());

describe('nodes renamed, retired, revoked', () => {
  it("a revoked node's batch and poll are refused (403 node-revoked), nothing is stored, and the revocation is on the hub's chain citing who asked", async () => {
    const r = await admin('/v1/nodes/revoke', { node: 'porch' });
    assert.equal(r.status, 200);
    const answer = (await r.json()) as { node: { id: string; revokedAt: number | null } };
    assert.equal(answer.node.id, lost.id);
    assert.equal(typeof answer.node.revokedAt, 'number');
    const [ev] = hubEvents('system.node.revoked');
    assert.deepStrictEqual(ev?.data, {
      node: lost.id,
      by: { token: h.hub.cartridge.tokens.list().find((t) => t.name === 'owner')?.id, name: 'owner', via: 'bearer' },
    });

    const before = h.hub.cartridge.counts().events;
    lost.append(2);
    const refused = await post(`${h.url}/v1/uplink`, cbor(lost.batch(4, 5)));
    assert.deepStrictEqual([refused.status, refused.body.error?.code], [403, 'node-revoked']);
    assert.equal(h.hub.cartridge.counts().events, before, 'nothing stored');
    assert.equal(h.hub.cartridge.nodes().find((n) => n.id === lost.id)?.headSeq, 3);

    const p = await post(`${h.url}/v1/downlink`, createPoll(lost.identity, lost.log.head, new Uint8Array(16).fill(7), crypto));
    assert.deepStrictEqual([p.status, p.body.error?.code], [403, 'node-revoked']);

    assert.equal((await admin('/v1/nodes/revoke', { node: lost.id })).status, 200, 'revoking again changes nothing');
    assert.equal(hubEvents('system.node.revoked').length, 1);
  });
  it('rename and retire go on the chain too; a retired node keeps its history and still uplinks', async () => {
    const r = await admin('/v1/nodes/rename', { node: 'attic', name: '<img src=x onerror=alert(1)>' });
    assert.equal(r.status, 200);
    assert.equal(h.hub.cartridge.nodes().find((n) => n.id === kept.id)?.name, '<img src=x onerror=alert(1)>');
    assert.equal((hubEvents('system.node.renamed')[0]?.data as { previous?: string } | undefined)?.previous, 'attic');
    assert.equal((await admin('/v1/nodes/retire', { node: kept.id })).status, 200);
    assert.equal(hubEvents('system.node.retired').length, 1);
    kept.append(1);
    assert.equal((await post(`${h.url}/v1/uplink`, cbor(kept.batch(1, 1)))).status, 200);
    assert.equal(typeof h.hub.cartridge.nodes().find((n) => n.id === kept.id)?.retiredAt, 'number');
  });
  it('refuses a read token (403), an unknown node (400) and a bad name (400)', async () => {
    const { token } = h.hub.cartridge.tokens.create({ name: 'viewer', scope: 'read', now: Date.now() });
    assert.equal((await admin('/v1/nodes/retire', { node: kept.id }, token)).status, 403);
    assert.equal((await admin('/v1/nodes/revoke', { node: 'nobody' })).status, 400);
    assert.equal((await admin('/v1/nodes/rename', { node: kept.id, name: 'a\nb' })).status, 400);
    assert.equal((await admin('/v1/nodes/rename', { node: kept.id })).status, 400);
  });
  it('fazt node rename|retire|revoke call the hub with the owner token', async () => {
    const other = new TestNode(143);
    h.hub.cartridge.addNode(other.identity.publicKey, { name: 'shed' });
    const hub = ['--hub', h.url, '--token', h.hub.ownerToken];
    assert.equal(await node(['rename', 'shed', 'garden-shed', ...hub]), `renamed ${other.id} to 'garden-shed'\n`);
    assert.equal(await node(['retire', 'garden-shed', ...hub]), `retired ${other.id} 'garden-shed'\n`);
    assert.match(await node(['revoke', other.id, ...hub]), /^revoked .* its key is refused from now on\n$/);
    assert.equal((hubEvents('system.node.revoked').at(-1)?.data as { node?: string } | undefined)?.node, other.id);
  });
});
