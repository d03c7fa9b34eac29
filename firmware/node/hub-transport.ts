import { HubFailover } from '../uplink/hub-failover.js';
import type { Transport } from '../uplink/transport.js';
import type { NodeConfig } from './node-config.js';

/**
 * The uplink transport of a node configuration with hub.url: that hub's
 * alone, or, when otherHubs name urls too, a HubFailover over hub.url and
 * those urls in order. `make` builds one hub's transport (the runtime's
 * HTTP client; `fingerprint` pins its certificate where the runtime can).
 */
export function hubTransport(c: Pick<NodeConfig, 'hub' | 'otherHubs'>, make: (url: string, fingerprint?: string) => Transport): Transport {
  if (c.hub.url === undefined) throw new TypeError('hubTransport needs hub.url (a node without it finds its hub by Beacon)');
  const first = make(c.hub.url, c.hub.fingerprint);
  const more = (c.otherHubs ?? []).filter((h) => h.url !== undefined).map((h) => make(h.url as string, h.fingerprint));
  return more.length === 0 ? first : new HubFailover([first, ...more]);
}
