import type { Db } from './open-cartridge.js';

export interface TableCounts {
  nodes: number;
  events: number;
  gaps: number;
  invites: number;
  usedInvites: number;
}

/** Row counts of every table: what tests compare before and after a refusal. */
export function tableCounts(db: Db): TableCounts {
  const n = (sql: string) => db.prepare(sql).pluck().get() as number;
  return {
    nodes: n('SELECT count(*) FROM nodes'),
    events: n('SELECT count(*) FROM entries'),
    gaps: n('SELECT count(*) FROM gaps'),
    invites: n('SELECT count(*) FROM invites'),
    usedInvites: n('SELECT count(*) FROM invites WHERE used_at IS NOT NULL'),
  };
}
