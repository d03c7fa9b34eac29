import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { answer, MIN, mcpHub, T0 } from './mcp-rig.js';

type Rig = Awaited<ReturnType<typeof mcpHub>>;
let h: Rig;
let client: Client;
const NOW = T0 + 5 * MIN;

before(async () => {
  h = await mcpHub({ agents: { confirmWithinMs: 2 * MIN } });
  h.setClock(NOW);
  client = await h.connect();
});
after(async () => {
  await client.close();
  await h.stop();
});

const propose = async (reason = 'too warm in the lab') =>
  answer<{ pending: string; state: string; expiresAt: number; confirmWith: string }>(
    await client.callTool({ name: 'request_effect', arguments: { node: 'lab', output: 'relay', op: 'on', reason } }),
  );

/** The owner's call to the person's side of the hub (admin token unless given). */
async function person(path: string, body?: unknown, token = h.hub.ownerToken): Promise<{ status: number; body: Record<string, unknown> }> {
  const headers: Record<string, string> = { authorization: `Bearer ${token}` };
  if (body !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(`${h.url}${path}`, {
    method: body === undefined ? 'GET' : 'POST',
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

describe('request_effect proposes; only a person runs it', () => {
  it('an unconfirmed proposal queues nothing and the node is not driven', async () => {
    const p = await propose();
    assert.match(p.pending, /^p[a-z2-7]{8}$/);
    assert.deepStrictEqual([p.state, p.expiresAt, p.confirmWith], ['pending', NOW + 2 * MIN, `fazt confirm ${p.pending}`]);
    assert.deepStrictEqual(h.hub.cartridge.commands.list({ node: h.lab.id }), []);
    assert.deepStrictEqual(await h.poll(), [], "the node's answer carries no command");
    assert.equal(h.hubEvents('effect.requested').length, 0);
    const proposed = h.hubEvents('effect.agent.proposed').at(-1);
    assert.deepStrictEqual(proposed?.data, {
      pending: p.pending,
      node: h.lab.id,
      action: { output: 'relay', op: 'on' },
      reason: 'too warm in the lab',
      expiresAt: NOW + 2 * MIN,
      by: { token: h.hub.cartridge.tokens.list()[0].id, name: 'owner', via: 'bearer' },
    });
    const listed = await person('/v1/effects/pending');
    assert.deepStrictEqual(
      (listed.body.pending as { id: string }[]).map((e) => e.id),
      [p.pending],
    );
  });

  it('confirmed → the command is queued, effect.requested cites the proposal and the confirmation, the node gets it', async () => {
    const p = await propose('confirm me');
    const r = await person('/v1/effects/confirm', { id: p.pending });
    assert.equal(r.status, 200, JSON.stringify(r.body));
    const effect = r.body.effect as { state: string; command: string; settledBy: { name: string } };
    assert.deepStrictEqual([effect.state, effect.settledBy.name], ['confirmed', 'owner']);
    const proposal = h.hubEvents('effect.agent.proposed').find((e) => (e.data as { pending: string }).pending === p.pending);
    const confirmed = h.hubEvents('effect.agent.confirmed').at(-1);
    const requested = h.hubEvents('effect.requested').at(-1);
    assert.ok(proposal && confirmed && requested);
    assert.deepStrictEqual((confirmed.data as { causes: string[] }).causes, [proposal.id]);
    const d = requested.data as { pending: string; causes: string[]; command: string; action: unknown; confirmedBy: { name: string } };
    assert.deepStrictEqual(
      [d.pending, d.causes, d.command, d.action, d.confirmedBy.name],
      [p.pending, [proposal.id, confirmed.id], effect.command, { output: 'relay', op: 'on' }, 'owner'],
    );
    const [command] = h.hub.cartridge.commands.list({ node: h.lab.id });
    assert.deepStrictEqual([command.id, command.cause, command.state], [effect.command, requested.id, 'queued']);
    assert.deepStrictEqual(
      (await h.poll()).map((c) => c.id),
      [effect.command],
    );
    const again = await person('/v1/effects/confirm', { id: p.pending });
    assert.deepStrictEqual([again.status, (again.body.error as { code: string }).code], [409, 'effect-confirmed']);
  });

  it('declined → never runs; confirming it after is refused', async () => {
    const p = await propose('decline me');
    const before = h.hub.cartridge.commands.list({}).length;
    assert.equal((await person('/v1/effects/decline', { id: p.pending })).status, 200);
    const r = await person('/v1/effects/confirm', { id: p.pending });
    assert.deepStrictEqual([r.status, (r.body.error as { code: string }).code], [409, 'effect-declined']);
    assert.match((r.body.error as { message: string }).message, /was declined/);
    assert.equal(h.hub.cartridge.commands.list({}).length, before);
    assert.deepStrictEqual(
      h.hubEvents('effect.agent.declined').map((e) => (e.data as { pending: string }).pending),
      [p.pending],
    );
  });

  it('expired → effect.agent.expired, never run; a confirm after is refused', async () => {
    const p = await propose('let me expire');
    const before = h.hub.cartridge.commands.list({}).length;
    h.setClock(NOW + 2 * MIN - 1);
    assert.ok((await person('/v1/effects/pending')).body.pending !== undefined);
    assert.equal(h.hubEvents('effect.agent.expired').length, 0, 'not yet');
    h.setClock(NOW + 2 * MIN);
    await h.poll(); // a node's batch: the commit after which the hub settles what ran out
    // The first test's proposal, never answered, ran out at the same moment.
    const expired = h.hubEvents('effect.agent.expired').filter((e) => (e.data as { pending: string }).pending === p.pending);
    assert.deepStrictEqual(
      expired.map((e) => e.data),
      [{ pending: p.pending, node: h.lab.id, causes: [h.hubEvents('effect.agent.proposed').at(-1)?.id ?? ''], expiresAt: NOW + 2 * MIN }],
    );
    const r = await person('/v1/effects/confirm', { id: p.pending });
    assert.deepStrictEqual([r.status, (r.body.error as { code: string }).code], [409, 'effect-expired']);
    assert.equal(h.hubEvents('effect.agent.expired').length, 2, 'each settled once');
    assert.equal(h.hub.cartridge.commands.list({}).length, before);
    assert.deepStrictEqual((await person('/v1/effects/pending')).body.pending, []);
  });

  it('an unknown id is 404; a read token may list but not confirm; bad bodies are 400', async () => {
    const r = await person('/v1/effects/confirm', { id: 'pzzzzzzzz' });
    assert.deepStrictEqual([r.status, (r.body.error as { code: string }).code], [404, 'unknown-effect']);
    const read = h.hub.cartridge.tokens.create({ name: 'agent', scope: 'read', now: Date.now() }).token;
    assert.equal((await person('/v1/effects/pending', undefined, read)).status, 200);
    assert.equal((await person('/v1/effects/confirm', { id: 'pzzzzzzzz' }, read)).status, 403);
    assert.equal((await person('/v1/effects/confirm', { id: 1 })).status, 400);
    assert.equal((await person('/v1/effects/confirm', { id: 'x', more: 1 })).status, 400);
  });

  it('a proposal the node cannot carry out is refused at once, naming what is wrong', async () => {
    const bad = await client.callTool({ name: 'request_effect', arguments: { node: 'lab', output: 'heater', op: 'on', reason: 'x' } });
    assert.equal(bad.isError, true);
    assert.match(JSON.stringify(bad.content), /declared no output 'heater' \(it has: relay\)/);
    const pulse = await client.callTool({ name: 'request_effect', arguments: { node: 'lab', output: 'relay', op: 'pulse', reason: 'x' } });
    assert.match(JSON.stringify(pulse.content), /ms is given with op pulse/);
    const nobody = await client.callTool({ name: 'request_effect', arguments: { node: 'attic', output: 'relay', op: 'on', reason: 'x' } });
    assert.match(JSON.stringify(nobody.content), /node 'attic' is neither a node id nor the name of a node \(names: lab\)/);
  });
});
