import { parseJsonBody } from '../hub/decode-uplink.js';
import { HttpError } from '../hub/http-error.js';
import type { OwnerAccess } from '../hub/owner-access.js';
import { readBody } from '../hub/read-body.js';
import { sendError } from '../hub/reply.js';
import { type Handler, type Routes, requireType, route } from '../hub/route.js';
import { CallBudget } from './call-budget.js';
import { askedBy, confirmRoutes } from './confirm-api.js';
import { mcpServer } from './mcp-server.js';
import type { McpContext } from './read-tools.js';

/** An MCP request is a JSON-RPC message or a batch of a few; a rule document for a backtest is the largest. */
const BODY_LIMIT = 256 * 1024;

/**
 * POST /mcp: the Model Context Protocol over streamable HTTP (README
 * "Agents (MCP)"), stateless: each request gets a server for its caller
 * and a plain JSON answer, so nothing is held between requests and the
 * caller the events cite is always the request's. GET and DELETE (an SSE
 * stream, a session to end) are 405, which the protocol allows a stateless
 * server (MCP 2025-06-18, Transports: "Listening for Messages from the
 * Server", "Session Management"). The SDK's client probes GET after every
 * initialize, so a caller with access gets that 405 from a route of its
 * own, not as a refusal in the log; without access it is refused (401,
 * 403) and logged like any route. Who may call: a token or session of
 * scope read or admin (an agent's proposal still waits for a person with
 * admin to confirm it). The SDK loads on the first request to /mcp, not
 * with the hub (nor with every CLI command that bundles it).
 * Beside it, the person's side: the pending list, confirm and decline.
 */
export function agentRoutes(ctx: McpContext & { access: OwnerAccess }): Routes {
  const budget = new CallBudget(ctx.clock);
  const mcp: Handler = async (req, res) => {
    requireType(req, ['application/json']);
    const body = parseJsonBody(await readBody(req, BODY_LIMIT));
    const { StreamableHTTPServerTransport } = await import('@modelcontextprotocol/sdk/server/streamableHttp.js');
    const server = await mcpServer(ctx, askedBy(ctx.access, req), budget);
    const transport = new StreamableHTTPServerTransport({ sessionIdGenerator: undefined, enableJsonResponse: true });
    res.once('close', () => {
      void transport.close();
      void server.close();
    });
    await server.connect(transport);
    await transport.handleRequest(req, res, body);
  };
  const noStream: Handler = (_req, res) =>
    sendError(
      res,
      new HttpError(405, 'method-not-allowed', '/mcp is stateless: no event stream to open, no session to end; POST each message', {}, { allow: 'POST' }),
    );
  return {
    '/mcp': { POST: route('read', mcp), GET: route('read', noStream), DELETE: route('read', noStream) },
    ...confirmRoutes({ effects: ctx.effects, access: ctx.access }),
  };
}
