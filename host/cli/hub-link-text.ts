import type { HubLinkEvent } from '../../firmware/beacon/hub-link.js';

/** What a node's link to its hub did, as a line for people (fazt sim node without --json). */
export function linkLine(e: HubLinkEvent): string {
  switch (e.event) {
    case 'searching':
      return 'searching the LAN for the hub…';
    case 'found':
      return `found hub ${e.hub} at ${e.url}`;
    case 'enrolled':
      return `enrolled as ${e.node}`;
    case 'acked':
      return `hub acknowledged up to seq ${e.ack} (${e.stored} new)`;
    case 'refused':
      return `refused (${e.stage}): ${e.code}: ${e.message}${e.address ? ` [from ${e.address}]` : ''}`;
    case 'lost':
      return `lost hub ${e.hub}: ${e.reason}`;
  }
}
