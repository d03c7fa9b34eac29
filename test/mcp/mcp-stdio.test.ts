import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { answer, MIN, mcpHub, T0 } from './mcp-rig.js';

/** The built CLI (npm run build), as an agent launcher runs it. */
const bin = new URL('../../bin/fazt.js', import.meta.url).pathname;

type Rig = Awaited<ReturnType<typeof mcpHub>>;
let h: Rig;
let dir: string;
let agentToken: string;

before(async () => {
  h = await mcpHub();
  h.setClock(T0 + 5 * MIN);
  dir = mkdtempSync(join(tmpdir(), 'fazt-mcp-'));
  agentToken = h.hub.cartridge.tokens.create({ name: 'agent', scope: 'read', now: T0 + 5 * MIN }).token;
  writeFileSync(join(dir, 'agent.token'), `${agentToken}\n`, { mode: 0o600 });
});
after(async () => {
  await h.stop();
  rmSync(dir, { recursive: true, force: true });
});

/** `fazt mcp` spawned by the SDK's stdio client transport; its stderr collected. */
function launch(tokenFile: string): { transport: StdioClientTransport; stderr: () => string } {
  const transport = new StdioClientTransport({ command: process.execPath, args: [bin, 'mcp', '--hub', h.url, '--token-file', tokenFile], stderr: 'pipe' });
  let text = '';
  transport.stderr?.on('data', (c: Buffer) => void (text += c.toString()));
  return { transport, stderr: () => text };
}

describe('fazt mcp: stdio to the hub', () => {
  it("relays the SDK client's requests to the hub's tools, as the token's owner", async () => {
    const { transport } = launch(join(dir, 'agent.token'));
    const client = new Client({ name: 'fazt-test', version: '1.0.0' });
    await client.connect(transport);
    try {
      assert.ok((await client.listTools()).tools.some((t) => t.name === 'request_effect'));
      const nodes = answer<{ nodes: { name: string; outputs: string[] }[] }>(await client.callTool({ name: 'list_nodes', arguments: {} }));
      assert.deepStrictEqual(nodes.nodes, [{ ...nodes.nodes[0], name: 'lab', outputs: ['relay'] }]);
      const p = answer<{ pending: string }>(
        await client.callTool({ name: 'request_effect', arguments: { node: 'lab', output: 'relay', op: 'off', reason: 'from stdio' } }),
      );
      const proposed = h.hubEvents('effect.agent.proposed').at(-1)?.data as { pending: string; by: { name: string } };
      assert.deepStrictEqual([proposed.pending, proposed.by.name], [p.pending, 'agent']);
      assert.deepStrictEqual(h.hub.cartridge.commands.list({ node: h.lab.id }), [], 'proposed, not run');
      const called = h.hubEvents('system.agent.tool.called').map((e) => (e.data as { tool: string; by: { name: string } }).tool);
      assert.deepStrictEqual(called, ['list_nodes', 'request_effect']);
    } finally {
      await client.close();
    }
  });

  it('a token the hub refuses: the agent gets an error saying so, and the token is in no output', async () => {
    const bad = join(dir, 'bad.token');
    const secret = `fzt_${'a'.repeat(52)}`;
    writeFileSync(bad, secret);
    const { transport, stderr } = launch(bad);
    const client = new Client({ name: 'fazt-test', version: '1.0.0' });
    await assert.rejects(client.connect(transport), /unauthorized.*the token is not valid here/);
    await client.close();
    assert.match(stderr(), /^fazt mcp: the hub at http:\/\/127\.0\.0\.1:\d+ did not answer: .*unauthorized/);
    assert.ok(!stderr().includes(secret) && !stderr().includes('a'.repeat(52)));
  });

  it('a missing token file is a usage error naming the file', async () => {
    const { transport, stderr } = launch(join(dir, 'nope.token'));
    const client = new Client({ name: 'fazt-test', version: '1.0.0' });
    await assert.rejects(client.connect(transport));
    await client.close();
    assert.match(stderr(), /--token-file .*nope\.token: ENOENT/);
  });
});
