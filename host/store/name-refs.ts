import type { Statement } from 'better-sqlite3';
import type { Db } from './open-cartridge.js';

/**
 * The `names` lookup table (migration step 8): event types, components,
 * reading names and units stored once, each row referring to them by a small
 * integer. Rows are never updated or deleted (triggers), so a committed
 * ref names one string for good. Readers join the table in SQL
 * (event-rows.ts); this is the writers' side.
 *
 * Only committed pairs are cached: a pair read or written inside a
 * transaction may be rolled back and its ref given to another string, so it
 * is cached only once the write is known to have committed (settle, called
 * outside any transaction).
 */
export class NameRefs {
  private readonly byName = new Map<string, number>();
  /** Refs read or inserted inside a transaction, confirmed by settle(). */
  private readonly pending = new Map<string, number>();
  private readonly selectRef: Statement<[string], number>;
  private readonly insert: Statement<[string]>;

  constructor(private readonly db: Db) {
    this.selectRef = db.prepare<[string], number>('SELECT ref FROM names WHERE name = ?').pluck();
    this.insert = db.prepare('INSERT INTO names (name) VALUES (?)');
  }

  /**
   * A function giving the ref of a name, adding the name when new, for one
   * write that is stored whole or not at all (one batch, inside its
   * transaction or savepoint): it remembers what it looked up for that
   * write only, since a rollback takes the refs it added with it.
   */
  writer(): (name: string) => number {
    const memo = new Map<string, number>();
    return (name) => {
      let ref = this.byName.get(name) ?? memo.get(name);
      if (ref === undefined) {
        ref = this.selectRef.get(name) ?? Number(this.insert.run(name).lastInsertRowid);
        memo.set(name, ref);
        if (this.db.inTransaction) this.pending.set(name, ref);
        else this.remember(name, ref);
      }
      return ref;
    };
  }

  /**
   * Outside a transaction, what the pending refs are now is committed: keep
   * those the table still holds as they were (a rolled-back one is gone or
   * names another string), forget the rest.
   */
  settle(): void {
    if (this.pending.size === 0 || this.db.inTransaction) return;
    for (const [name, ref] of this.pending) if (this.selectRef.get(name) === ref) this.remember(name, ref);
    this.pending.clear();
  }

  private remember(name: string, ref: number): void {
    this.byName.set(name, ref);
  }
}
