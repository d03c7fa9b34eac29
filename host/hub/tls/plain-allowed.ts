/**
 * What plain HTTP from beyond loopback may reach on a hub that serves HTTPS:
 * the routes nodes use, whose bodies are signed (uplink, enrolment, downlink
 * polls, firmware chunk requests) or public anyway (the signed time answer, the beacon record,
 * liveness), and the routes paired hubs call each other on, which are signed
 * too (mesh-auth, pair-exchange). Everything else carries the owner's data or
 * tokens and needs HTTPS. The access layer may call this too.
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
  // Hub to hub (README "Mesh"): the pairing exchange is sealed and signed, a sync request and its answer are signed.
  '/v1/mesh/pair/key': 'GET',
  '/v1/mesh/pair': 'POST',
  '/v1/mesh/fingerprint': 'POST',
  '/v1/mesh/heads': 'POST',
  '/v1/mesh/page': 'POST',
};

export function plainAllowed(path: string, method: string): boolean {
  if (!Object.hasOwn(NODE_ROUTES, path)) return false;
  const allowed = NODE_ROUTES[path];
  return method === allowed || (allowed === 'GET' && method === 'HEAD');
}
