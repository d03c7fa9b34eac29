import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { ReadResourceResult } from '@modelcontextprotocol/sdk/types.js';
import { HttpError } from '../hub/http-error.js';
import { LIMITS, listNodes, type McpContext, nodeIdOf, nodeReadings, series } from './read-tools.js';

const json = (uri: URL, value: unknown): ReadResourceResult => ({ contents: [{ uri: uri.href, mimeType: 'application/json', text: JSON.stringify(value) }] });
const one = (v: string | string[]): string => (Array.isArray(v) ? v[0] : v);

/**
 * Nodes and sensors as MCP resources: fazt://node/{id} (the node, its
 * outputs and latest values) and fazt://node/{id}/sensor/{component}/{name}
 * (the latest reading and the last hour in 60 buckets). Listings stop at
 * LIMITS.nodes nodes; each read is audited as the tools are.
 */
export async function registerResources(server: McpServer, ctx: McpContext, audited: <T>(tool: string, args: unknown, fn: () => T) => T): Promise<void> {
  const { ResourceTemplate } = await import('@modelcontextprotocol/sdk/server/mcp.js');
  const nodes = () => listNodes(ctx).nodes;
  server.registerResource(
    'node',
    new ResourceTemplate('fazt://node/{id}', {
      list: () => ({ resources: nodes().map((n) => ({ uri: `fazt://node/${n.id}`, name: n.name ?? n.id, mimeType: 'application/json' })) }),
    }),
    { description: 'An enrolled node: board, outputs and the latest value of each sensor', mimeType: 'application/json' },
    (uri, v) =>
      audited('read_resource', { uri: uri.href }, () => {
        const id = nodeIdOf(ctx, decodeURIComponent(one(v.id)));
        const node = nodes().find((n) => n.id === id);
        return json(uri, { ...node, readings: nodeReadings(ctx, id) });
      }),
  );
  server.registerResource(
    'sensor',
    new ResourceTemplate('fazt://node/{id}/sensor/{component}/{name}', {
      list: () => ({
        resources: nodes().flatMap((n) =>
          nodeReadings(ctx, n.id).map((r) => ({
            uri: `fazt://node/${n.id}/sensor/${encodeURIComponent(r.component)}/${encodeURIComponent(r.name)}`,
            name: `${n.name ?? n.id} ${r.component} ${r.name}`,
            mimeType: 'application/json',
          })),
        ),
      }),
    }),
    { description: "A node's sensor reading: the latest value and the last hour downsampled", mimeType: 'application/json' },
    (uri, v) =>
      audited('read_resource', { uri: uri.href }, () => {
        const id = nodeIdOf(ctx, decodeURIComponent(one(v.id)));
        const component = decodeURIComponent(one(v.component));
        const name = decodeURIComponent(one(v.name));
        const latest = nodeReadings(ctx, id).find((r) => r.component === component && r.name === name);
        if (!latest) throw new HttpError(404, 'unknown-sensor', `node ${id} has no reading ${component}/${name} among its newest ${LIMITS.readingsScanned}`);
        return json(uri, { node: id, latest, lastHour: series(ctx, { node: id, component, name, points: 60 }) });
      }),
  );
}
