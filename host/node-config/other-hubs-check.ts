import { toHex } from '../../firmware/codec/text-encodings.js';
import type { NodeConfig } from '../../firmware/node/node-config.js';

/** A problem as node-config-check.ts reports it. */
interface Problem {
  path: string;
  kind: string;
  message: string;
}

const EXAMPLE_KEY = '0'.repeat(64);

/**
 * What the schema cannot say of otherHubs (the owner's other hubs, README
 * "Mesh"): each hub listed once (hub.publicKey counts), no example
 * placeholder key, urls only beside hub.url (a node that finds its hub by
 * Beacon uplinks to that one alone), and a fingerprint only for https.
 */
export function checkOtherHubs(c: Pick<NodeConfig, 'hub' | 'otherHubs'>): Problem[] {
  const problems: Problem[] = [];
  const seen = new Map<string, string>([[toHex(c.hub.publicKey), 'hub.publicKey']]);
  (c.otherHubs ?? []).forEach((h, i) => {
    const at = `otherHubs[${i}]`;
    const key = toHex(h.publicKey);
    if (key === EXAMPLE_KEY)
      problems.push({ path: `${at}.publicKey`, kind: 'example-key', message: "an example's placeholder: that hub's key (`fazt mesh peers` lists them)" });
    else if (seen.has(key)) problems.push({ path: `${at}.publicKey`, kind: 'hub', message: `the same hub as ${seen.get(key)}: list each hub once` });
    else seen.set(key, `${at}.publicKey`);
    if (h.url !== undefined && c.hub.url === undefined)
      problems.push({
        path: `${at}.url`,
        kind: 'hub',
        message: 'a node without hub.url finds its hub by Beacon and uplinks to it alone: give hub.url too, or leave this url out',
      });
    if (h.fingerprint !== undefined && !h.url?.startsWith('https://'))
      problems.push({ path: `${at}.fingerprint`, kind: 'hub', message: "a fingerprint pins an https hub's certificate: the url must be https://…" });
  });
  return problems;
}
