/**
 * What plain HTTP from beyond loopback may reach on a hub that serves HTTPS:
 * the routes nodes use, whose bodies are signed (uplink, enrolment, downlink
 * polls, firmware chunk requests) or public anyway (the signed time answer, the beacon record,
 * liveness). Everything else carries the owner's data or tokens and needs
 * HTTPS. The access layer may call this too.
 */
const NODE_ROUTES: Readonly<Record<string, string>> = {
  '/v1/uplink': 'POST',
  '/v1/enroll': 'POST',
  '/v1/downlink': 'POST',
  // Firmware chunks: the request is node-signed, the image is checked by the node against the hub's signature.
  '/v1/firmware/chunk': 'POST',
  '/v1/time': 'GET',
  '/v1/beacon': 'GET',
  '/v1/health': 'GET',
};

export function plainAllowed(path: string, method: string): boolean {
  if (!Object.hasOwn(NODE_ROUTES, path)) return false;
  const allowed = NODE_ROUTES[path];
  return method === allowed || (allowed === 'GET' && method === 'HEAD');
}
