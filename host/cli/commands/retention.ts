import { join } from 'node:path';
import { CARTRIDGE_FILE } from '../../hub/hub.js';
import { openCartridge } from '../../store/open-cartridge.js';
import { type Command, UsageError } from '../command.js';
import { DATA_OPTION, dataFolder } from '../data-folder.js';
import { table } from '../table.js';
import { momentText } from '../moment-text.js';

interface ChainRetention {
  node: string;
  name: string | null;
  ranges: number;
  pruned: number;
  /** The last seq pruned (0: none). */
  through: number;
  /** When the newest range was pruned (ms since the epoch), null if none. */
  at: number | null;
}

const status: Command = {
  name: 'status',
  summary: 'What retention pruned from each node chain: ranges, rows, up to which seq',
  usage: 'fazt retention status [--data DIR] [--json]',
  help: 'Read-only, safe while the hub runs. Each range is a system.retention.pruned event on the hub chain (README, Retention).',
  options: {
    data: DATA_OPTION,
    json: { type: 'boolean', description: 'print the chains as one JSON array' },
  },
  run: async ({ values, out }) => {
    const db = openCartridge(join(dataFolder(values, { create: false }), CARTRIDGE_FILE), { migrate: false });
    try {
      if (!db.prepare("SELECT 1 FROM sqlite_schema WHERE name = 'pruned_ranges'").get())
        throw new UsageError('this cartridge has no retention records yet: start it once with this fazt (fazt hub) to migrate it');
      const rows = db
        .prepare<[], ChainRetention>(
          `SELECT n.id AS node, n.name AS name, count(p.first) AS ranges, coalesce(sum(p.count), 0) AS pruned,
             coalesce(max(p.last), 0) AS through, max(p.at) AS at
           FROM nodes n JOIN node_refs r ON r.node = n.id LEFT JOIN pruned_ranges p ON p.node = r.ref
           WHERE n.kind = 'node' GROUP BY n.id ORDER BY n.id`,
        )
        .all();
      if (values.json) {
        out(JSON.stringify(rows) + '\n');
        return;
      }
      out(
        table(
          ['NODE', 'NAME', 'RANGES', 'ROWS PRUNED', 'THROUGH SEQ', 'LAST PRUNED'],
          rows.map((r) => [r.node, r.name ?? '', `${r.ranges}`, `${r.pruned}`, `${r.through}`, momentText(r.at)]),
        ) + '\n',
      );
    } finally {
      db.close();
    }
  },
};

export const retentionCommand: Command = {
  name: 'retention',
  summary: 'Retention of raw readings (fazt hub --retain-raw): what was pruned',
  usage: 'fazt retention status [--data DIR] [--json]',
  subcommands: [status],
};
