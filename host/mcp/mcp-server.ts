import { createHash } from 'node:crypto';
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { faztVersion } from '../fazt-version.js';
import { toHttpError } from '../hub/http-error.js';
import type { AskedBy } from '../store/pending-effects.js';
import { CALLS_PER_MINUTE, type CallBudget } from './call-budget.js';
import { registerResources } from './mcp-resources.js';
import { backtest, latestValues, LIMITS, listNodes, listRules, type McpContext, queryEvents, readPulse, series } from './read-tools.js';

/** Largest text one tool answers with; a longer one is cut and says so. */
const MAX_RESULT_CHARS = 64_000;

/** The first 8 bytes of the SHA-256 of the arguments' JSON: the chain says what was asked without holding the data. */
export function argsDigest(args: unknown): string {
  return `sha256:${createHash('sha256')
    .update(JSON.stringify(args ?? {}))
    .digest('hex')
    .slice(0, 16)}`;
}

function text(value: unknown): CallToolResult {
  let t = JSON.stringify(value);
  if (t.length > MAX_RESULT_CHARS) t = `${t.slice(0, MAX_RESULT_CHARS)}… (cut at ${MAX_RESULT_CHARS} characters: narrow the question)`;
  return { content: [{ type: 'text', text: t }] };
}

/**
 * The hub's MCP server for one caller (README "Agents (MCP)"): read tools,
 * node and sensor resources, and request_effect, which only proposes. Every
 * tool call, answered or refused, appends system.agent.tool.called to the
 * hub's chain with the tool, a digest of its arguments and who called
 * (never the token); a refusal is a tool error the agent reads. A resource
 * read is recorded the same way (tool `read_resource`). Calls beyond the
 * token's budget (call-budget.ts) are refused unrun and unrecorded.
 * The SDK and zod are imported here, on a first MCP request, not at start.
 */
export async function mcpServer(ctx: McpContext, caller: AskedBy, budget: CallBudget): Promise<McpServer> {
  const [{ McpServer }, { z }] = await Promise.all([import('@modelcontextprotocol/sdk/server/mcp.js'), import('zod')]);
  const ms = z.number().int().nonnegative().describe('ms since the epoch');
  const nodeRef = z.string().min(1).max(64).describe("a node's id or name (list_nodes)");
  const server = new McpServer({ name: 'fazt', version: faztVersion() }, { capabilities: { logging: {} } });
  /** One request of the agent: within its budget, run, and recorded on the chain whether it was answered or refused. */
  const audited = <T>(tool: string, args: unknown, fn: () => T): T => {
    const wait = budget.take(caller.token);
    if (wait !== undefined) throw new Error(`rate-limited: at most ${CALLS_PER_MINUTE} calls a minute; try again in ${Math.ceil(wait / 1000)} s`);
    let ok = false;
    try {
      const result = fn();
      ok = true;
      return result;
    } catch (e) {
      const err = toHttpError(e);
      // An internal failure says no more to the agent than to any client.
      throw new Error(`${err.code}: ${err.status >= 500 ? err.message : (e as Error).message}`, { cause: e });
    } finally {
      ctx.hubLog().append('system.agent.tool.called', 'agent', { tool, args: argsDigest(args), ok, by: { ...caller } });
    }
  };
  const run =
    <A>(tool: string, fn: (a: A) => unknown) =>
    async (a: A): Promise<CallToolResult> => {
      try {
        return text(audited(tool, a, () => fn(a)));
      } catch (e) {
        return { isError: true, content: [{ type: 'text', text: (e as Error).message }] };
      }
    };
  const read = { readOnlyHint: true, openWorldHint: false } as const;

  server.registerTool(
    'list_nodes',
    {
      description: `The enrolled nodes (at most ${LIMITS.nodes}) with the outputs each declared (what request_effect can drive), and the hub's BLE devices (bleDevices: MAC, name, presence, last heard, newest values; read, never driven).`,
      annotations: read,
    },
    run('list_nodes', () => listNodes(ctx)),
  );
  server.registerTool(
    'latest_values',
    {
      description: "Each sensor's newest reading (value, unit, quality, time) on one node or BLE device, or on every node and BLE device.",
      inputSchema: { node: z.string().min(1).max(64).describe("a node's id or name, or a BLE device's MAC or name (list_nodes)").optional() },
      annotations: read,
    },
    run('latest_values', (a: { node?: string }) => latestValues(ctx, a.node)),
  );
  server.registerTool(
    'series',
    {
      description: `A reading downsampled to at most ${LIMITS.seriesPoints} buckets [start, min, mean, max, count] over [from, to) (default the last hour, 100 points).`,
      inputSchema: {
        node: nodeRef,
        name: z.string().min(1).max(64).describe("the reading's name, e.g. temperature"),
        component: z.string().min(1).max(32).optional().describe('the sensor, when a node has two of the name'),
        from: ms.optional(),
        to: ms.optional(),
        points: z.number().int().min(1).max(LIMITS.seriesPoints).optional(),
      },
      annotations: read,
    },
    run('series', (a: Parameters<typeof series>[1]) => series(ctx, a)),
  );
  server.registerTool(
    'query_events',
    {
      description: `Events of the signed log, newest first, at most ${LIMITS.events}: filter by node, type (wildcards: sensor.#, effect.*), since/until (ms or ISO 8601).`,
      inputSchema: {
        node: nodeRef.optional(),
        type: z.string().min(1).max(64).optional(),
        since: z.string().max(40).optional(),
        until: z.string().max(40).optional(),
        limit: z.number().int().min(1).max(LIMITS.events).optional(),
        order: z.enum(['asc', 'desc']).optional(),
      },
      annotations: read,
    },
    run('query_events', (a: Parameters<typeof queryEvents>[1]) => queryEvents(ctx, a)),
  );
  server.registerTool(
    'read_pulse',
    { description: "Pulse: the hub's latest judgement of its own and its nodes' health, issues first, and the paragraph.", annotations: read },
    run('read_pulse', () => readPulse(ctx)),
  );
  server.registerTool(
    'list_rules',
    { description: 'The rules on this hub, enabled or not, with their versions.', annotations: read },
    run('list_rules', () => listRules(ctx)),
  );
  server.registerTool(
    'backtest_rule',
    {
      description: 'Replays the stored log through a candidate rule (a rule document, as fazt rules test takes) and lists when it would have fired.',
      inputSchema: { rule: z.record(z.string(), z.unknown()).describe('the rule document'), since: ms, until: ms.optional(), node: nodeRef.optional() },
      annotations: read,
    },
    run('backtest_rule', (a: Parameters<typeof backtest>[1]) => backtest(ctx, a)),
  );
  server.registerTool(
    'request_effect',
    {
      description:
        "Proposes driving a node's output. It does NOT run: a person must confirm it (fazt confirm <id>, or the dashboard) before it expires. Answers the pending effect's id and expiry.",
      inputSchema: {
        node: nodeRef,
        output: z.string().min(1).max(32).describe('an output the node declared (list_nodes)'),
        op: z.enum(['on', 'off', 'toggle', 'pulse']),
        ms: z.number().int().min(1).max(3_600_000).optional().describe('with op pulse: how long'),
        reason: z.string().min(1).max(280).describe('why, for the person who confirms'),
      },
      annotations: { readOnlyHint: false, destructiveHint: false, openWorldHint: false },
    },
    run('request_effect', (a: { node: string; output: string; op: string; ms?: number; reason: string }) => {
      const e = ctx.effects.propose(a, caller);
      return { pending: e.id, state: e.state, expiresAt: e.expiresAt, confirmWith: `fazt confirm ${e.id}` };
    }),
  );
  server.registerTool(
    'pending_effects',
    { description: 'The proposals waiting for a person, oldest first.', annotations: read },
    run('pending_effects', () => ({ pending: ctx.effects.pending() })),
  );
  await registerResources(server, ctx, audited);
  return server;
}
