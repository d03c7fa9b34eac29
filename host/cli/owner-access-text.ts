import { join } from 'node:path';
import type { Hub } from '../hub/hub.js';
import { OWNER_TOKEN_FILE } from '../hub/owner-token-file.js';

/**
 * Where the owner's token is, and (only on an interactive terminal, never
 * into a log or the journal) a one-time link that signs a browser in.
 */
export function ownerAccessText(hub: Hub, dataDir: string, interactive = process.stdout.isTTY === true): string {
  const lines = [`owner token in ${join(dataDir, OWNER_TOKEN_FILE)} (fazt commands on this machine use it; scripts send it as Authorization: Bearer)`];
  if (interactive) lines.push(`sign in from a browser (one use, 10 minutes): ${hub.signinLink()}`);
  return `${lines.join('\n')}\n`;
}
