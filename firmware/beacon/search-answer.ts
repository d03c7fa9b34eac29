import { BEACON_SEARCH_TARGET } from './beacon-record.js';
import type { SelfAdvert } from './self-advert.js';
import { buildResponse, SSDP_ALL } from './ssdp-message.js';

/**
 * The answer to an M-SEARCH for `st` (UDA 1.1 §1.3.3), sent unicast to the
 * searcher: our signed record, for our search target or ssdp:all; undefined
 * when the search looks for something else.
 */
export function answerSearch(advert: SelfAdvert, st: string): Uint8Array | undefined {
  if (st !== BEACON_SEARCH_TARGET && st !== SSDP_ALL) return undefined;
  return buildResponse({
    st: BEACON_SEARCH_TARGET,
    usn: advert.usn,
    location: advert.location,
    maxAge: advert.maxAge,
    server: advert.server,
    headers: advert.headers(),
  });
}
