import type { Statement } from 'better-sqlite3';
import { decodeCbor } from '../../firmware/codec/cbor-decode.js';
import { isValueMap, type Value } from '../../firmware/codec/value.js';
import type { OutputInfo } from '../../firmware/node/node-outputs.js';
import { FROM_ENTRIES, typeIs } from './event-rows.js';
import type { Db } from './open-cartridge.js';

/** What each node says it can drive: the outputs in its latest stored system.boot. */
export class DeclaredOutputs {
  private readonly lastBoot: Statement<[string, string], Uint8Array>;

  constructor(db: Db) {
    this.lastBoot = db
      .prepare<[string, string], Uint8Array>(`SELECT e.data FROM ${FROM_ENTRIES} WHERE ${typeIs('system.boot')} AND r.node = ? ORDER BY e.seq DESC LIMIT 1`)
      .pluck();
  }

  /** The node's outputs at its latest boot ([] when none). */
  of(node: string): OutputInfo[] {
    const data = this.lastBoot.get('system.boot', node);
    if (!data) return [];
    const boot = decodeCbor(new Uint8Array(data)) as Value;
    const list = isValueMap(boot) && Array.isArray(boot.outputs) ? boot.outputs : [];
    const out: OutputInfo[] = [];
    for (const o of list)
      if (isValueMap(o) && typeof o.name === 'string' && typeof o.driver === 'string' && typeof o.pin === 'number')
        out.push({ name: o.name, driver: o.driver, pin: o.pin });
    return out;
  }
}
