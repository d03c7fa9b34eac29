import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { argsDigest } from '../../host/mcp/mcp-server.js';
import { answer, hotRule, MIN, mcpHub, T0 } from './mcp-rig.js';

type Rig = Awaited<ReturnType<typeof mcpHub>>;
let h: Rig;
let client: Client;
const lines: string[] = [];

before(async () => {
  h = await mcpHub({ pulse: { everyMs: 0 }, log: (l) => void lines.push(l) });
  client = await h.connect();
});
after(async () => {
  await client.close();
  await h.stop();
});

const call = (name: string, args: Record<string, unknown> = {}) => client.callTool({ name, arguments: args });

describe('the MCP server at /mcp, with the SDK client over streamable HTTP', () => {
  it('lists its tools and resource templates', async () => {
    const tools = (await client.listTools()).tools.map((t) => t.name).sort();
    assert.deepStrictEqual(tools, [
      'backtest_rule',
      'latest_values',
      'list_nodes',
      'list_rules',
      'pending_effects',
      'query_events',
      'read_pulse',
      'request_effect',
      'series',
    ]);
    const templates = (await client.listResourceTemplates()).resourceTemplates.map((t) => t.uriTemplate).sort();
    assert.deepStrictEqual(templates, ['fazt://node/{id}', 'fazt://node/{id}/sensor/{component}/{name}']);
  });

  it('list_nodes: lab with the relay it declared', async () => {
    const a = answer<{ nodes: { id: string; name: string; board: string; outputs: string[] }[]; truncated: boolean }>(await call('list_nodes'));
    assert.deepStrictEqual(
      a.nodes.map((n) => [n.id, n.name, n.board, n.outputs]),
      [[h.lab.id, 'lab', 'esp32-devkitc', ['relay']]],
    );
    assert.equal(a.truncated, false);
  });

  it('latest_values: the newest reading of each sensor', async () => {
    const a = answer<{ nodes: { id: string; readings: { component: string; name: string; value: number; time: number }[] }[] }>(
      await call('latest_values', { node: 'lab' }),
    );
    assert.equal(a.nodes[0].id, h.lab.id);
    assert.deepStrictEqual(
      a.nodes[0].readings.map((r) => [r.component, r.name, r.value, r.time]),
      [
        ['bme280', 'humidity', 40, T0 + 3 * MIN + 1000],
        ['bme280', 'temperature', 22, T0 + 3 * MIN],
      ],
    );
  });

  it('series: min, mean, max and count per bucket from the stored readings', async () => {
    const a = answer<{ buckets: number[][] }>(await call('series', { node: 'lab', name: 'temperature', from: T0, to: T0 + 4 * MIN, points: 4 }));
    assert.deepStrictEqual(a.buckets, [
      [T0 + MIN, 20, 20, 20, 1],
      [T0 + 2 * MIN, 21, 21, 21, 1],
      [T0 + 3 * MIN, 22, 22, 22, 1],
    ]);
    const bad = await call('series', { node: 'lab', name: 'temperature', from: T0 + MIN, to: T0 });
    assert.equal(bad.isError, true);
    assert.match(JSON.stringify(bad.content), /from .* must be before to/);
  });

  it('query_events: newest first, filtered by node and type, bounded', async () => {
    const a = answer<{ events: { type: string; data: { value: number } }[] }>(await call('query_events', { node: 'lab', type: 'sensor.reading', limit: 2 }));
    assert.deepStrictEqual(
      a.events.map((e) => e.data.value),
      [40, 22],
    );
    const tooMany = await call('query_events', { limit: 1000 });
    assert.equal(tooMany.isError, true, 'the schema bounds limit');
  });

  it('read_pulse: the latest beat', async () => {
    h.hub.pulse?.beat();
    const a = answer<{ status: string; nodes: { id: string }[] }>(await call('read_pulse'));
    assert.ok(['healthy', 'degraded', 'critical', 'unknown'].includes(a.status), a.status);
    assert.ok(a.nodes.some((n) => n.id === h.lab.id));
  });

  it('list_rules and backtest_rule: a rule added on the hub, and a candidate replayed over the stored log', async () => {
    h.rules().put(hotRule());
    const rules = answer<{ rules: { id: string }[] }>(await call('list_rules'));
    assert.deepStrictEqual(
      rules.rules.map((r) => r.id),
      ['hot'],
    );
    const rule = hotRule({
      id: 'warm',
      triggers: [{ kind: 'numeric', id: 'w', series: { node: 'lab', component: 'bme280', name: 'temperature' }, above: 20.5 }],
    });
    const bt = answer<{ firings: { at: number }[] }>(await call('backtest_rule', { rule, since: T0 }));
    assert.deepStrictEqual(
      bt.firings.map((f) => f.at),
      [T0 + 2 * MIN + 500], // 21 °C, stored 500 ms after it was taken
    );
  });

  it('resources: a node and one of its sensors', async () => {
    const list = (await client.listResources()).resources.map((r) => r.uri).sort();
    assert.ok(list.includes(`fazt://node/${h.lab.id}`), JSON.stringify(list));
    assert.ok(list.includes(`fazt://node/${h.lab.id}/sensor/bme280/temperature`), JSON.stringify(list));
    const node = await client.readResource({ uri: `fazt://node/${h.lab.id}` });
    const n = JSON.parse(String((node.contents[0] as { text: string }).text)) as { name: string; outputs: string[]; readings: unknown[] };
    assert.deepStrictEqual([n.name, n.outputs, n.readings.length], ['lab', ['relay'], 2]);
    const sensor = await client.readResource({ uri: `fazt://node/${h.lab.id}/sensor/bme280/temperature` });
    const s = JSON.parse(String((sensor.contents[0] as { text: string }).text)) as { latest: { value: number } };
    assert.equal(s.latest.value, 22);
    await assert.rejects(client.readResource({ uri: 'fazt://node/attic' }), /node 'attic' is neither a node id nor the name of a node/);
  });

  it('every tool call is an event on the hub chain: the tool, a digest of its arguments, who called; never the token', async () => {
    const before = h.hubEvents('system.agent.tool.called').length;
    await call('latest_values', { node: 'lab' });
    const events = h.hubEvents('system.agent.tool.called');
    assert.equal(events.length, before + 1);
    const d = events.at(-1)?.data as { tool: string; args: string; ok: boolean; by: { token: string; name: string } };
    assert.deepStrictEqual(d, {
      tool: 'latest_values',
      args: argsDigest({ node: 'lab' }),
      ok: true,
      by: { token: d.by.token, name: 'owner', via: 'bearer' },
    });
    const all = JSON.stringify(h.hub.cartridge.events({ node: h.hub.hubLog.id, limit: 1000 }).events.map((e) => e.data));
    assert.ok(!all.includes(h.hub.ownerToken), 'no token on the chain');
    const calls = events.map((e) => (e.data as { tool: string }).tool);
    for (const t of ['list_nodes', 'series', 'query_events', 'read_pulse', 'list_rules', 'backtest_rule', 'read_resource']) assert.ok(calls.includes(t), t);
    assert.ok(
      events.some((e) => (e.data as { ok: boolean }).ok === false),
      'refused calls too',
    );
  });
});

describe('owner access on /mcp', () => {
  const raw = (token?: string) =>
    fetch(`${h.url}/mcp`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        accept: 'application/json, text/event-stream',
        ...(token ? { authorization: `Bearer ${token}` } : {}),
      },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list' }),
    });
  it('no token → 401; a metrics token → 403; a read token lists the tools', async () => {
    assert.equal((await raw()).status, 401);
    const now = T0 + 10 * MIN;
    const metrics = h.hub.cartridge.tokens.create({ name: 'scraper', scope: 'metrics', now }).token;
    assert.equal((await raw(metrics)).status, 403);
    const read = h.hub.cartridge.tokens.create({ name: 'agent', scope: 'read', now }).token;
    const reader = await h.connect(read);
    assert.ok((await reader.listTools()).tools.length > 0);
    await reader.close();
    await assert.rejects(h.connect(null), /401|unauthorized/i);
  });

  it("GET and DELETE /mcp (the SDK client's probe for a stream, a session's end): 405 Allow POST with access, no refusal in the log; without access a logged 401", async () => {
    const refusals = () => lines.filter((l) => /"code":"refused"/.test(l) && l.includes('/mcp'));
    const before = refusals().length;
    const reader = await h.connect(); // initialize, then the SDK's GET for an event stream
    assert.ok((await reader.listTools()).tools.length > 0);
    await reader.close();
    for (const method of ['GET', 'DELETE']) {
      const res = await fetch(`${h.url}/mcp`, { method, headers: { accept: 'text/event-stream', authorization: `Bearer ${h.hub.ownerToken}` } });
      assert.equal(res.status, 405, method);
      assert.equal(res.headers.get('allow'), 'POST', method);
      assert.equal(((await res.json()) as { error: { code: string } }).error.code, 'method-not-allowed');
    }
    assert.deepEqual(refusals().slice(before), [], "an allowed caller's 405 is not a refusal");
    const anonymous = await fetch(`${h.url}/mcp`, { headers: { accept: 'text/event-stream' } });
    assert.equal(anonymous.status, 401);
    await anonymous.body?.cancel();
    const logged = refusals().slice(before);
    assert.equal(logged.length, 1, logged.join('\n'));
    assert.match(logged[0], /"status":401.*"route":"GET \/mcp"/);
    assert.ok(lines.every((l) => !l.includes(h.hub.ownerToken)));
  });
});
