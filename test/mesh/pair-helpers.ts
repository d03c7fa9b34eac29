import type { Hub } from '../../host/hub/hub.js';
import { get, post, type Reply, type startHub } from '../hub/helpers.js';

export type RunningHub = Awaited<ReturnType<typeof startHub>>;

/** POSTs JSON to a hub started by startHub, as its owner. */
export function postJson(url: string, body: unknown): Promise<Reply> {
  return post(url, JSON.stringify(body), 'application/json');
}

/** A pairing invite made on `hub` (as its owner). */
export async function makeInvite(
  hub: RunningHub,
  body: Record<string, unknown> = {},
): Promise<{ token: string; words: string[]; sound: string; hub: string; url: string; expiresAt: number }> {
  const r = await postJson(`${hub.url}/v1/mesh/pair/invite`, body);
  if (r.status !== 201) throw new Error(`invite refused: ${JSON.stringify(r.body)}`);
  return r.body as unknown as { token: string; words: string[]; sound: string; hub: string; url: string; expiresAt: number };
}

/** The peers a hub lists (GET /v1/mesh/peers). */
export async function peersOf(hub: RunningHub): Promise<{ hub: string; publicKey: string; name: string | null; url: string | null; only: string[] | null }[]> {
  const r = await get(`${hub.url}/v1/mesh/peers`);
  if (r.status !== 200) throw new Error(JSON.stringify(r.body));
  return r.body.peers as { hub: string; publicKey: string; name: string | null; url: string | null; only: string[] | null }[];
}

/** The data of the hub-chain events of `type` on `hub`. */
export function chainEvents(hub: Hub, type: string): Record<string, unknown>[] {
  return hub.cartridge.events({ node: hub.hubLog.id, type }).events.map((e) => e.data as Record<string, unknown>);
}
