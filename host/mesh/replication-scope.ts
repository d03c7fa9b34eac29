import type { Statement } from 'better-sqlite3';
import { isNodeId } from '../../firmware/identity/node-id.js';
import type { Db } from '../store/open-cartridge.js';

/**
 * Which nodes' logs this hub replicates with each paired hub: every node by
 * default, or only the nodes the owner listed for that peer
 * (`fazt mesh peers --only ID NODE,NODE`; migration step 16). The sync
 * protocol asks `replicates(peer, node)` before it offers or pulls a log.
 */
export class ReplicationScope {
  private readonly select: Statement<[string], { node: string }>;
  private readonly clear: Statement<[string]>;
  private readonly insert: Statement<[string, string]>;

  constructor(private readonly db: Db) {
    this.select = db.prepare('SELECT node FROM mesh_replicate_only WHERE peer = ? ORDER BY node');
    this.clear = db.prepare('DELETE FROM mesh_replicate_only WHERE peer = ?');
    this.insert = db.prepare('INSERT OR IGNORE INTO mesh_replicate_only (peer, node) VALUES (?, ?)');
  }

  /** The nodes replicated with `peer`, or undefined for all of them. */
  only(peer: string): string[] | undefined {
    const set = this.load(peer);
    return set ? [...set].sort() : undefined;
  }

  /** Replicate only `nodes` with `peer`, or every node again with undefined. */
  set(peer: string, nodes: readonly string[] | undefined): void {
    if (nodes !== undefined) {
      if (!Array.isArray(nodes) || nodes.length === 0) throw new RangeError('nodes must be a non-empty list of node ids (or undefined for all)');
      for (const n of nodes) if (!isNodeId(n)) throw new RangeError(`'${String(n)}' is not a node id`);
    }
    this.db.transaction(() => {
      this.clear.run(peer);
      for (const n of nodes ?? []) this.insert.run(peer, n);
    })();
  }

  replicates(peer: string, node: string): boolean {
    const set = this.load(peer);
    return set === null || set.has(node);
  }

  private load(peer: string): Set<string> | null {
    const rows = this.select.all(peer);
    return rows.length === 0 ? null : new Set(rows.map((r) => r.node));
  }
}
