import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import type { HubOptions } from '../../host/hub/hub-options.js';
import { cbor, post } from '../hub/helpers.js';
import { hotRule, MIN, ruleHub, T0 } from '../rules/hub-rig.js';

export { hotRule, MIN, T0 };

/**
 * A real hub on loopback (test/rules/hub-rig.ts: node `lab` with a relay,
 * the hub's clock set by the test) holding known readings: lab's bme280
 * temperature 20, 21, 22 at T0+1..3 min, humidity 40 at T0+3 min.
 */
export async function mcpHub(options: HubOptions = {}) {
  const h = await ruleHub(options);
  await h.readings(h.lab, 'bme280', 'temperature', [
    [T0 + MIN, 20],
    [T0 + 2 * MIN, 21],
    [T0 + 3 * MIN, 22],
  ]);
  await h.readings(h.lab, 'bme280', 'humidity', [[T0 + 3 * MIN + 1000, 40]]);
  /** An SDK client over streamable HTTP with this token (the owner's by default; none: no header). */
  const connect = async (token: string | null = h.hub.ownerToken): Promise<Client> => {
    const client = new Client({ name: 'fazt-test', version: '1.0.0' });
    const headers: Record<string, string> = token === null ? {} : { authorization: `Bearer ${token}` };
    await client.connect(new StreamableHTTPClientTransport(new URL(`${h.url}/mcp`), { requestInit: { headers } }));
    return client;
  };
  /** lab's pending uplink answered: the commands the hub's signed answer carries. */
  const poll = async (): Promise<{ id: string }[]> => {
    h.lab.record('sensor.reading', 'bme280', { name: 'temperature', value: 22, quality: 'good', time: T0 + 4 * MIN }, T0 + 4 * MIN);
    const first = h.hub.cartridge.head(h.lab.id)?.seq ?? 0;
    const r = await post(`${h.url}/v1/uplink`, cbor(h.lab.batch(first + 1, h.lab.entries.length)));
    if (r.status !== 200) throw new Error(`uplink refused: ${JSON.stringify(r.body)}`);
    return (r.body.commands as { id: string }[] | undefined) ?? [];
  };
  /** The hub's own events of a type, oldest first. */
  const hubEvents = (type: string) => h.hub.cartridge.events({ node: h.hub.hubLog.id, type, limit: 1000 }).events;
  return { ...h, connect, poll, hubEvents };
}

/** A tool's answer: its JSON, or its error text thrown. */
export function answer<T = Record<string, unknown>>(r: unknown): T {
  const res = r as CallToolResult;
  const first = res.content[0];
  if (first?.type !== 'text') throw new Error('the tool answered no text');
  if (res.isError) throw new Error(first.text);
  return JSON.parse(first.text) as T;
}
