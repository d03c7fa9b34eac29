import { join } from 'node:path';
import type { Timers } from '../../hal/contracts/time.js';
import type { Cartridge } from '../store/cartridge.js';
import { systemTimers } from '../time/system-timers.js';
import { BackupSchedule } from './backup-schedule.js';
import type { HubLog } from './hub-log.js';
import type { HubOptions } from './hub-options.js';
import type { MeshHub } from '../mesh/mesh-hub.js';
import { MeshLoop } from '../mesh/mesh-loop.js';
import { NodePresence } from './node-presence.js';
import { RetentionSchedule } from './retention-schedule.js';
import type { CryptoProvider } from '../../firmware/crypto/crypto-provider.js';
import type { OpRecord } from './op-log.js';

/** A node is silent (offline, for Home Assistant too) after this long without a batch, unless HubOptions.silentAfterMs says. */
export const SILENT_AFTER_MS = 15 * 60_000;

/**
 * What a running hub does for its owner beside serving: enrolments and
 * nodes coming and going in its log (node-presence.ts), and scheduled
 * backups (backup-schedule.ts), mesh sync rounds (host/mesh/mesh-loop.ts), retention (retention-schedule.ts). Returns what stops them.
 */
export function startOperations(
  o: Pick<HubOptions, 'backups' | 'silentAfterMs' | 'timers' | 'mesh' | 'retention'> & {
    crypto: CryptoProvider;
    meshHub: MeshHub;
    dataDir: string;
    cartridge: Cartridge;
    hubLog: HubLog;
    clock: () => number;
    log: (r: OpRecord) => void;
  },
): { stop(): Promise<void> } {
  const timers: Timers = o.timers ?? systemTimers();
  const unEnrolled = o.cartridge.onEnrolled((e) =>
    o.log({ code: e.existed ? 'node-enrolled-again' : 'node-enrolled', node: e.node, name: e.name, board: e.board }),
  );
  const presence = new NodePresence({ cartridge: o.cartridge, silentAfterMs: o.silentAfterMs ?? SILENT_AFTER_MS, clock: o.clock, timers, log: o.log });
  presence.start();
  const b = o.backups;
  const backups = b
    ? new BackupSchedule({ ...b, dir: b.dir ?? join(o.dataDir, 'backups'), cartridge: o.cartridge, hubLog: o.hubLog, clock: o.clock, timers, log: o.log })
    : undefined;
  backups?.start();
  // Sync rounds against the paired hubs (fazt hub --mesh).
  const m = o.mesh;
  const mesh = m?.background ? new MeshLoop({ mesh: o.meshHub, intervalMs: m.intervalMs, timers, log: o.log }) : undefined;
  mesh?.start();
  // Raw readings past the policy give way to their rollups (fazt hub --retain-raw).
  const r = o.retention;
  const retention = r
    ? new RetentionSchedule({ ...r, cartridge: o.cartridge, hubLog: o.hubLog, crypto: o.crypto, clock: o.clock, timers, log: o.log })
    : undefined;
  retention?.start();
  return {
    async stop() {
      unEnrolled();
      presence.stop();
      await backups?.stop();
      await mesh?.stop();
      await retention?.stop();
    },
  };
}
