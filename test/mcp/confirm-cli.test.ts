import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { after, before, describe, it } from 'node:test';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { answer, MIN, mcpHub, T0 } from './mcp-rig.js';

/** The built CLI (npm run build). */
const bin = new URL('../../bin/fazt.js', import.meta.url).pathname;

type Rig = Awaited<ReturnType<typeof mcpHub>>;
let h: Rig;
let client: Client;

before(async () => {
  h = await mcpHub();
  h.setClock(T0 + 5 * MIN);
  client = await h.connect();
});
after(async () => {
  await client.close();
  await h.stop();
});

/** `fazt confirm …` against the test's hub, the owner token in FAZT_TOKEN (the hub runs in this process: never spawnSync). */
function confirm(...args: string[]): Promise<{ code: number; out: string; err: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [bin, 'confirm', ...args, '--hub', h.url],
      { env: { ...process.env, FAZT_TOKEN: h.hub.ownerToken }, timeout: 60_000 },
      (e, out, err) => resolve({ code: e ? Number((e as { code?: number }).code ?? -1) : 0, out, err }),
    );
  });
}

const propose = async (reason: string) =>
  answer<{ pending: string }>(await client.callTool({ name: 'request_effect', arguments: { node: 'lab', output: 'relay', op: 'pulse', ms: 1500, reason } }))
    .pending;

describe('fazt confirm', () => {
  it('--list shows what waits; <id> confirms it; again is refused', async () => {
    assert.deepStrictEqual((await confirm('--list')).out, 'No proposals waiting.\n');
    const id = await propose('water the plants');
    const list = await confirm('--list');
    assert.equal(list.code, 0, list.err);
    assert.match(list.out, new RegExp(`^${id}\\s+${h.lab.id.slice(0, 12)}\\s+relay pulse 1500 ms\\s+water the plants\\s+owner\\s+10 min$`, 'm'));
    const ok = await confirm(id);
    assert.equal(ok.code, 0, ok.err);
    const [command] = h.hub.cartridge.commands.list({ node: h.lab.id });
    assert.equal(ok.out, `confirmed ${id}: relay pulse 1500 ms on ${h.lab.id} (command ${command.id}, queued for the node's next poll)\n`);
    const again = await confirm(id);
    assert.equal(again.code, 1);
    assert.match(again.err, new RegExp(`^fazt: effect-confirmed: hub answered 409 for /v1/effects/confirm: pending effect ${id} was confirmed at `));
  });

  it('--decline: it never runs', async () => {
    const id = await propose('not this one');
    const before = h.hub.cartridge.commands.list({}).length;
    const r = await confirm(id, '--decline');
    assert.equal(r.out, `declined ${id}: relay pulse 1500 ms on ${h.lab.id} will not run\n`);
    assert.equal(h.hub.cartridge.commands.list({}).length, before);
  });

  it('an unknown id, and no id at all, are refused plainly', async () => {
    const unknown = await confirm('pzzzzzzzz');
    assert.deepStrictEqual(
      [unknown.code, unknown.err.trim()],
      [1, "fazt: unknown-effect: hub answered 404 for /v1/effects/confirm: no pending effect 'pzzzzzzzz' (fazt confirm --list shows those waiting)"],
    );
    const none = await confirm();
    assert.equal(none.code, 2);
    assert.match(none.err, /give the id of a proposal/);
  });
});
