/**
 * Migration step 16, which nodes' logs a hub replicates with each peer
 * (host/mesh/replication-scope.ts): a peer with no rows replicates every
 * node (the default); a peer with rows replicates only those nodes.
 */
export const MESH_SCOPE_SQL = `
  CREATE TABLE mesh_replicate_only (
    peer  TEXT NOT NULL REFERENCES mesh_peers (hub),
    node  TEXT NOT NULL,
    PRIMARY KEY (peer, node)
  ) STRICT, WITHOUT ROWID;
`;
