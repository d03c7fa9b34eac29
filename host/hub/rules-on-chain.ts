import { type CompiledRule, type NodeRef, RuleEngine } from '../rules/index.js';
import type { Cartridge } from '../store/cartridge.js';

/**
 * The rules as the hub's own chain has them now (or, with `until`, as they
 * stood before that time): its system.rule.* events replayed, in order,
 * through an engine that follows them (the same code that rebuilds the live
 * rules). Reads only those events, a page at a time.
 */
export function rulesOnChain(
  cartridge: Cartridge,
  hubId: string,
  o: { nodes: readonly NodeRef[]; timeZone: string; until?: number },
): Map<string, { rule: CompiledRule; enabled: boolean }> {
  const engine = new RuleEngine({ hubId, nodes: o.nodes, timeZone: o.timeZone });
  let cursor: string | undefined;
  do {
    const page = cartridge.events({ node: hubId, type: 'system.rule.*', until: o.until, limit: 1000, cursor });
    engine.ingest(page.events);
    cursor = page.next ?? undefined;
  } while (cursor !== undefined);
  // A rule runs when enabled (its document's `enabled` says only how it was added).
  return new Map(engine.rules().map((r) => [r.id, { rule: r, enabled: engine.runtime(r.id) !== undefined }]));
}
