import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { TestNode } from '../hub/helpers.js';
import { chainDigest, startPair } from './helpers.js';

describe('fazt hub --mesh', () => {
  let p: Awaited<ReturnType<typeof startPair>>;
  const lines: string[] = [];
  const node = new TestNode(91);
  before(async () => {
    p = await startPair({ mesh: { background: true, intervalMs: 200 }, log: (l) => void lines.push(l) });
    for (const h of [p.a, p.b]) h.hub.cartridge.addNode(node.identity.publicKey);
  });
  after(() => p.stop());

  it('syncs in the background: what one hub stores reaches the other without being asked', async () => {
    node.append(40);
    p.a.hub.cartridge.ingestBatch(node.batch(1, 40));
    // Wait for the state, not a time: B's loop pulls it in one of its rounds.
    for (let i = 0; i < 400 && p.b.hub.cartridge.head(node.id)?.seq !== 40; i++) await new Promise((r) => setTimeout(r, 25));
    assert.equal(p.b.hub.cartridge.head(node.id)?.seq, 40);
    assert.equal(chainDigest(p.a.hub, node.id), chainDigest(p.b.hub, node.id));
    assert.ok(
      lines.some((l) => l.includes('mesh-round')),
      lines.join('\n'),
    );
    const last = p.b.hub.mesh.status().peers[0].last;
    assert.ok(last && 'figures' in last && last.figures.errors.length === 0, JSON.stringify(last));
  });
});
