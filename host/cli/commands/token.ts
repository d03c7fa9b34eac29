import type { TokenRecord } from '../../store/owner-tokens.js';
import { type Command, UsageError } from '../command.js';
import { durationFlag } from '../duration-flag.js';
import { askHub, HUB_OPTIONS } from '../hub-client.js';
import { table } from '../table.js';

const ORDER =
  'The command calls the running hub with an admin token, found in this order: --token, $FAZT_TOKEN,\nthe owner.token in --data DIR (default ./fazt-data), which the hub writes on its first start.';

const when = (ms: number | null) => (ms === null ? '-' : new Date(ms).toISOString().slice(0, 16).replace('T', ' '));

function state(t: TokenRecord, now: number): string {
  if (t.revokedAt !== null) return 'revoked';
  if (t.expiresAt !== null && now >= t.expiresAt) return 'expired';
  return 'live';
}

const create: Command = {
  name: 'create',
  summary: 'Make a token for a script, a laptop or a scraper; its secret is shown once',
  usage: 'fazt token create --name NAME [--scope read|admin|metrics] [--expires 90d] [--hub URL] [--json]',
  help: `Scopes: read (every read route), admin (read and every change), metrics (GET /metrics only).\nThe hub keeps only the token's SHA-256: copy the secret now.\n${ORDER}`,
  options: {
    name: { type: 'string', value: 'NAME', description: 'what the token is for (laptop, grafana)' },
    scope: { type: 'string', value: 'SCOPE', description: 'read, admin or metrics (default admin)' },
    expires: { type: 'string', value: 'DURATION', description: 'how long it lives (90d, 12h); default: until revoked' },
    ...HUB_OPTIONS,
  },
  run: async ({ values, out }) => {
    if (typeof values.name !== 'string') throw new UsageError('give --name NAME (what the token is for)');
    const body: Record<string, unknown> = { name: values.name };
    if (values.scope !== undefined) {
      if (!['read', 'admin', 'metrics'].includes(String(values.scope))) throw new UsageError(`--scope must be read, admin or metrics, got '${values.scope}'`);
      body.scope = values.scope;
    }
    if (typeof values.expires === 'string') body.expiresInMs = durationFlag(values.expires, '--expires');
    const r = await askHub<TokenRecord & { token: string }>(values, '/v1/tokens', { body });
    if (values.json) out(`${JSON.stringify(r)}\n`);
    else
      out(
        `${r.token}\ntoken ${r.id} '${r.name}', scope ${r.scope}, ${r.expiresAt === null ? 'no expiry' : `expires ${when(r.expiresAt)} UTC`}: shown once, copy it now\n`,
      );
    return 0;
  },
};

const list: Command = {
  name: 'list',
  summary: 'The tokens the hub knows (never their secrets)',
  usage: 'fazt token list [--hub URL] [--json]',
  help: ORDER,
  options: HUB_OPTIONS,
  run: async ({ values, out }) => {
    const { tokens } = await askHub<{ tokens: TokenRecord[] }>(values, '/v1/tokens');
    if (values.json) out(`${JSON.stringify({ tokens })}\n`);
    else {
      const now = Date.now();
      const rows = tokens.map((t) => [t.id, t.name, t.scope, state(t, now), when(t.createdAt), when(t.expiresAt), when(t.lastUsedAt)]);
      out(`${table(['ID', 'NAME', 'SCOPE', 'STATE', 'CREATED', 'EXPIRES', 'LAST USED'], rows)}\n`);
    }
    return 0;
  },
};

const revoke: Command = {
  name: 'revoke',
  summary: 'Revoke a token by its id or name: it, and every browser session made with it, stops working',
  usage: 'fazt token revoke <id|name> [--hub URL] [--json]',
  help: ORDER,
  args: '[token]',
  options: HUB_OPTIONS,
  run: async ({ positionals, values, out }) => {
    if (positionals.length !== 1) throw new UsageError('give exactly one token id or name');
    const { revoked } = await askHub<{ revoked: TokenRecord }>(values, '/v1/tokens/revoke', { body: { token: positionals[0] } });
    out(values.json ? `${JSON.stringify({ revoked })}\n` : `revoked ${revoked.id} '${revoked.name}'\n`);
    return 0;
  },
};

export const tokenCommand: Command = {
  name: 'token',
  summary: "Owner tokens: who may read and steer the hub's API",
  usage: 'fazt token create|list|revoke',
  subcommands: [create, list, revoke],
};
