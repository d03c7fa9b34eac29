import { join, resolve } from 'node:path';
import { openCartridge } from '../../store/open-cartridge.js';
import { backupCartridge } from '../../store/backup.js';
import { CARTRIDGE_FILE } from '../../hub/hub.js';
import { UsageError, type Command } from '../command.js';
import { DATA_OPTION, dataFolder } from '../data-folder.js';

export const backupCommand: Command = {
  name: 'backup',
  summary: "Copy the cartridge with SQLite's online backup (safe while the hub runs)",
  usage: 'fazt backup <file> [--data DIR] [--json]',
  help: "Never a raw copy of the live file: SQLite's backup API copies a consistent snapshot. The\ncopy is one self-contained file, integrity-checked. It is written as <file>.partial and named\n<file> only once checked, so an interrupted backup is never taken for one. An existing <file>\nis never overwritten.",
  args: '[file]',
  options: {
    data: DATA_OPTION,
    json: { type: 'boolean', description: 'print the result as one JSON object' },
  },
  run: async ({ positionals, values, out }) => {
    if (positionals.length !== 1) throw new UsageError('backup takes exactly one target file');
    const source = join(dataFolder(values, { create: false }), CARTRIDGE_FILE);
    const db = openCartridge(source, { migrate: false });
    try {
      const r = await backupCartridge(db, resolve(positionals[0]));
      out(
        values.json
          ? JSON.stringify({ ...r, source }) + '\n'
          : `backed up ${source}\n      to ${r.file} (${r.pages} pages, ${r.nodes} nodes, ${r.events} events, integrity ok)\n`,
      );
    } finally {
      db.close();
    }
  },
};
