import { chmodSync, existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { OwnerTokens, TokenRecord } from '../store/owner-tokens.js';

/** The hub's local admin token, in its data folder, readable by its owner only. */
export const OWNER_TOKEN_FILE = 'owner.token';
/** The name the hub's own admin token carries in `fazt token list`. */
const OWNER_TOKEN_NAME = 'owner';

/**
 * The admin token the CLI on the hub's machine uses (README "Access: owner
 * only"): kept while `<data>/owner.token` holds a live admin token;
 * otherwise (first start, or the token was revoked, expired or the file
 * lost) a new one is made, the previous `owner` token revoked (its secret
 * is gone or dead), and the file written with mode 0600.
 */
export function ensureOwnerToken(dataDir: string, tokens: OwnerTokens, now: number): { token: string; record: TokenRecord } {
  const file = join(dataDir, OWNER_TOKEN_FILE);
  if (existsSync(file)) {
    const token = readFileSync(file, 'utf8').trim();
    const record = tokens.check(token, now);
    if (record?.scope === 'admin') {
      chmodSync(file, 0o600);
      return { token, record };
    }
  }
  tokens.revoke(OWNER_TOKEN_NAME, now);
  const made = tokens.create({ name: OWNER_TOKEN_NAME, scope: 'admin', now });
  const tmp = `${file}.tmp`;
  writeFileSync(tmp, `${made.token}\n`, { mode: 0o600 });
  chmodSync(tmp, 0o600);
  renameSync(tmp, file);
  return made;
}

/** The token in `<dataDir>/owner.token`, or undefined when there is none. */
export function readOwnerToken(dataDir: string): string | undefined {
  const file = join(dataDir, OWNER_TOKEN_FILE);
  if (!existsSync(file)) return undefined;
  return readFileSync(file, 'utf8').trim() || undefined;
}
