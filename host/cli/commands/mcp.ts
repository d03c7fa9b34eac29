import { readFileSync } from 'node:fs';
import type { FetchLike } from '@modelcontextprotocol/sdk/shared/transport.js';
import type { JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js';
import { pinnedFetch } from '../../crypto/pinned-fetch.js';
import { type Command, UsageError } from '../command.js';
import { FINGERPRINT_OPTION, HUB_OPTION, hubTarget, tokenTravels } from '../hub-client.js';

/** The token from --token-file (never from argv, which other users can read), else as hubTarget finds it. */
function tokenValues(values: Record<string, unknown>): Record<string, unknown> {
  if (typeof values['token-file'] !== 'string') return values;
  let token: string;
  try {
    token = readFileSync(values['token-file'], 'utf8').trim();
  } catch (e) {
    throw new UsageError(`--token-file ${values['token-file']}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  if (token === '') throw new UsageError(`--token-file ${values['token-file']} is empty`);
  return { ...values, token };
}

/**
 * `fazt mcp`: the Model Context Protocol over stdio for an agent launcher
 * (Claude Desktop and the like), relayed message by message to the hub's
 * POST /mcp with the owner token, so the tools live once, in the hub. A
 * request the hub cannot answer (unreachable, refused) gets a JSON-RPC error
 * naming why; the token appears in no message, log or error. The SDK is
 * loaded here, not when the CLI starts: every other command would pay for it.
 */
export const mcpCommand: Command = {
  name: 'mcp',
  summary: "Serve the hub's MCP tools over stdio to an AI agent (its actions wait for your fazt confirm)",
  usage: 'fazt mcp [--hub URL] [--token-file FILE | --data DIR]',
  help:
    'Run by an agent launcher, e.g. in its config: {"command": "fazt", "args": ["mcp", "--token-file", "/home/me/.fazt-agent-token"]}.\n' +
    'The token comes from --token-file, then $FAZT_TOKEN, then the owner.token in --data DIR (default ./fazt-data).\nMake the agent a read token (fazt token create --name agent --scope read): it can propose effects, never run them.',
  options: {
    hub: HUB_OPTION,
    fingerprint: FINGERPRINT_OPTION,
    'token-file': { type: 'string', value: 'FILE', description: 'a file holding the token to call the hub with (e.g. a read token made for the agent)' },
    data: { type: 'string', value: 'DIR', description: 'the hub folder whose owner.token to use (default ./fazt-data)' },
  },
  run: async ({ values, err }) => {
    const target = hubTarget(tokenValues(values));
    if (target.token === undefined) throw new UsageError('no token found: give --token-file FILE, set FAZT_TOKEN, or --data DIR of the hub');
    if (!tokenTravels(target.url))
      throw new UsageError(`the token goes only over HTTPS or to this machine: give --hub https://… --fingerprint sha256:… (not ${target.url})`);
    const pin = target.fingerprint;
    const fetch: FetchLike | undefined = pin
      ? (url, init) =>
          pinnedFetch(
            String(url),
            {
              method: init?.method,
              headers: Object.fromEntries(new Headers(init?.headers).entries()),
              body: init?.body as string | undefined,
              signal: init?.signal ?? undefined,
            },
            pin,
          )
      : undefined;
    const [{ StreamableHTTPClientTransport }, { StdioServerTransport }, { isJSONRPCRequest }] = await Promise.all([
      import('@modelcontextprotocol/sdk/client/streamableHttp.js'),
      import('@modelcontextprotocol/sdk/server/stdio.js'),
      import('@modelcontextprotocol/sdk/types.js'),
    ]);
    const hub = new StreamableHTTPClientTransport(new URL(`${target.url}/mcp`), {
      requestInit: { headers: { authorization: `Bearer ${target.token}` } },
      ...(fetch ? { fetch } : {}),
    });
    const agent = new StdioServerTransport();
    const why = (e: unknown) => `the hub at ${target.url} did not answer: ${((e as Error).message ?? String(e)).trim()}`;
    // The transport reports a failed send on onerror too: that line is the log; the agent gets the error as its answer.
    const refuse = (m: JSONRPCMessage, e: unknown) => {
      if (isJSONRPCRequest(m)) void agent.send({ jsonrpc: '2.0', id: m.id, error: { code: -32000, message: why(e) } });
    };
    agent.onmessage = (m) => void hub.send(m).catch((e: unknown) => refuse(m, e));
    hub.onmessage = (m) => void agent.send(m);
    hub.onerror = (e) => err(`fazt mcp: ${why(e)}\n`);
    await hub.start();
    await agent.start();
    // The launcher ends the session by closing our stdin.
    await new Promise<void>((resolve) => process.stdin.once('end', resolve).once('close', resolve));
    await agent.close();
    await hub.close();
    return 0;
  },
};
