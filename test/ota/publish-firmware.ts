import type { PublishResult } from '../../host/hub/firmware-publish.js';

/** POST /v1/firmware with the owner's token, as `fazt firmware publish` does: the status and the hub's answer. */
export async function publishFirmware(
  url: string,
  token: string,
  body: Record<string, unknown>,
): Promise<{ status: number; body: PublishResult & { error?: { code: string } } }> {
  const res = await fetch(`${url}/v1/firmware`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as PublishResult & { error?: { code: string } } };
}
