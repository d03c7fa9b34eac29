import { identityFromSecretKey } from '../../firmware/identity/node-id.js';
import { HubLog } from '../../host/hub/hub-log.js';
import { Cartridge } from '../../host/store/cartridge.js';
import { RetentionPass } from '../../host/store/retention-pass.js';
import { crypto, TestNode } from '../hub/helpers.js';

/** When the fixture's batches were received; a pass at `later` finds them older than a day. */
export const RECEIVED = 1_767_225_600_000;
export const DAY = 86_400_000;
export const later = RECEIVED + 2 * DAY;

export const hubKey = identityFromSecretKey(new Uint8Array(32).fill(7), crypto);

export function openWithHub(file: string, clock: () => number = () => RECEIVED): { c: Cartridge; log: HubLog } {
  const c = Cartridge.open(file, { clock, crypto });
  return { c, log: new HubLog({ cartridge: c, identity: hubKey, crypto, clock }) };
}

/**
 * A node whose chain mixes what retention may prune and what it may not:
 * seq 1 an effect event, then readings in batches of `batch`, with an
 * effect event after the first `readings / 2` readings. Returns the node.
 */
export function storeMixed(c: Cartridge, seed: number, readings: number, batch = 50): TestNode {
  const a = new TestNode(seed);
  c.addNode(a.identity.publicKey);
  a.record('effect.applied', 'led', { command: 'x', output: 1 }, RECEIVED);
  c.ingestBatch(a.batch(1, 1));
  const half = Math.floor(readings / 2);
  a.append(half);
  for (let s = 2; s <= half + 1; s += batch) c.ingestBatch(a.batch(s, Math.min(s + batch - 1, half + 1)));
  a.record('effect.applied', 'led', { command: 'y', output: 0 }, RECEIVED);
  c.ingestBatch(a.batch(half + 2, half + 2));
  a.append(readings - half);
  const end = readings + 2;
  for (let s = half + 3; s <= end; s += batch) c.ingestBatch(a.batch(s, Math.min(s + batch - 1, end)));
  return a;
}

export function pass(c: Cartridge, log: HubLog, o: { keepMs?: number; now?: number; maxRows?: number } = {}): RetentionPass {
  return new RetentionPass({ cartridge: c, hubLog: log, crypto, keepMs: o.keepMs ?? DAY, clock: () => o.now ?? later, maxRows: o.maxRows });
}
