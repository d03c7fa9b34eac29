import { join, resolve } from 'node:path';
import { FaztError } from '../../../hal/contracts/errors.js';
import { nodeCrypto } from '../../crypto/node-crypto.js';
import { CARTRIDGE_FILE } from '../../hub/hub.js';
import { HUB_KEY_FILE, IMPORTED_KEY_FILE, readHubKeyFile } from '../../hub/hub-key.js';
import { readOwnerToken } from '../../hub/owner-token-file.js';
import type { Accept } from '../../store/restore.js';
import { restoreCartridge } from '../../store/restore.js';
import { UsageError, type Command } from '../command.js';
import { DATA_OPTION, dataFolder } from '../data-folder.js';

/**
 * What the hub folder must agree with before the copy goes in: a hub-key.json
 * there of another hub would stop the hub at start; a backup from before the
 * cartridge held the key needs that hub's key file beside it.
 */
function folderAgrees(dir: string, ownerToken: { kept?: boolean }): Accept {
  return (copy, checked) => {
    const inFolder = readHubKeyFile(join(dir, HUB_KEY_FILE), nodeCrypto);
    if (checked.keyInCartridge && inFolder && inFolder.id !== checked.hubId)
      throw new FaztError('hub-key', `${join(dir, HUB_KEY_FILE)} is hub ${inFolder.id}'s key, but the backup is hub ${checked.hubId}'s: move it away first`);
    if (!checked.keyInCartridge && checked.hubId) {
      const kept = inFolder ?? readHubKeyFile(join(dir, IMPORTED_KEY_FILE), nodeCrypto);
      if (kept?.id !== checked.hubId)
        throw new FaztError(
          'hub-key',
          `the backup predates the key in the cartridge: hub ${checked.hubId}'s ${HUB_KEY_FILE} must be in ${dir} (from the old folder's ${HUB_KEY_FILE} or ${IMPORTED_KEY_FILE})`,
        );
      if (!inFolder) throw new FaztError('hub-key', `rename ${join(dir, IMPORTED_KEY_FILE)} to ${HUB_KEY_FILE} first: it is the key this backup needs`);
    }
    const token = readOwnerToken(dir);
    ownerToken.kept = token !== undefined && copy.tokens.check(token, Date.now())?.scope === 'admin';
  };
}

export const restoreCommand: Command = {
  name: 'restore',
  summary: 'Make a backup the hub folder’s cartridge (the hub stopped), after checking it whole',
  usage: 'fazt restore <file> [--data DIR] [--json]',
  help: [
    'Checks the backup first: SQLite integrity_check, a fazt cartridge, no migration step newer than',
    "this fazt knows, every node's chain and the hub's verified up to its head. Then copies it beside",
    'DIR/fazt.db, syncs it and renames it into place. Refused while a hub runs on DIR (it holds the',
    'cartridge open). The cartridge it replaces is kept as DIR/fazt.db.before-restore-<time>.',
    'The hub is the backup’s hub: same id, key, certificate fingerprint, nodes and tokens. Lost: what',
    'the hub stored after the backup was taken (README "Backups and restore").',
  ].join('\n'),
  args: '[file]',
  options: {
    data: DATA_OPTION,
    json: { type: 'boolean', description: 'print the result as one JSON object' },
  },
  run: async ({ positionals, values, out }) => {
    if (positionals.length !== 1) throw new UsageError('restore takes exactly one backup file');
    const dir = dataFolder(values, { create: true });
    const owner: { kept?: boolean } = {};
    const r = await restoreCartridge(resolve(positionals[0]), join(dir, CARTRIDGE_FILE), { crypto: nodeCrypto, accept: folderAgrees(dir, owner) });
    if (values.json) {
      out(JSON.stringify({ ...r, ownerTokenKept: owner.kept === true }) + '\n');
      return 0;
    }
    const hubChain = r.heads.find((h) => h.kind === 'hub');
    out(
      [
        `restored ${r.from}`,
        `      to ${r.file}`,
        `hub ${r.hubId ?? '(new: the backup holds no hub key and no hub chain)'}${r.keyInCartridge ? '' : ` (its key from ${HUB_KEY_FILE}, imported at start)`}`,
        `${r.nodes} nodes, ${r.events} events; every chain verified to its head${hubChain ? ` (the hub's at seq ${hubChain.seq})` : ''}`,
        r.replaced ? `the cartridge it replaced: ${r.replaced}` : '',
        owner.kept
          ? 'owner.token: still valid'
          : 'owner.token: not one the backup knows; the hub makes a new one at start (and revokes the backup’s owner token)',
        'start the hub: fazt hub --data ' + dir,
      ]
        .filter(Boolean)
        .join('\n') + '\n',
    );
    return 0;
  },
};
