/**
 * Migration step 20, the rules cursor (host/store/rules-cursor.ts): how far
 * the rule engine's decisions are committed, so a restart after kill -9
 * carries out a firing whose transaction never committed, once, and nothing
 * that did commit.
 *
 * - rules_cursor: per chain (a node's, the hub's, a paired hub's), the seq up
 *   to which its entries were decided on by the rules and what they fired is
 *   stored (or nothing was theirs to decide: a mesh page, a hub running
 *   without rules);
 * - rules_clock: the engine time up to which the rules' timers (for:
 *   windows, delays, schedules, absences) were carried out.
 *
 * A cartridge from before this step was replayed at start with every
 * decision taken as carried out: it starts with every chain decided through
 * its head and the timers through the newest head's received_at, as before.
 * A released step never changes: a new need is a new step.
 */
export const RULES_CURSOR_SQL = `
  CREATE TABLE rules_cursor (
    node TEXT PRIMARY KEY,
    seq  INTEGER NOT NULL CHECK (seq >= 0)
  ) STRICT, WITHOUT ROWID;
  CREATE TABLE rules_clock (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    at INTEGER NOT NULL
  ) STRICT;
  INSERT INTO rules_cursor (node, seq) SELECT id, head_seq FROM nodes WHERE head_seq > 0;
  INSERT INTO rules_clock (id, at)
    SELECT 1, max(e.received_at) FROM nodes n JOIN node_refs r ON r.node = n.id JOIN entries e ON e.node = r.ref AND e.seq = n.head_seq
    HAVING max(e.received_at) IS NOT NULL;
`;
