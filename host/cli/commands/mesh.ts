import type { MeshStatus, RoundOutcome } from '../../mesh/mesh-hub.js';
import { type Command, UsageError } from '../command.js';
import { askHub, HUB_OPTIONS } from '../hub-client.js';
import { meshPairCommand } from './mesh-pair.js';
import { meshPeersCommand } from './mesh-peers.js';

const ago = (at: number, now: number): string => `${Math.max(0, Math.round((now - at) / 1000))} s ago`;

function roundLine(r: RoundOutcome): string {
  if ('error' in r) return `${r.peer}: failed (${r.error.code}) ${r.error.message}`;
  const f = r.figures;
  if (f.idle) return `${r.peer}: in step (${f.bytesOut} bytes out, ${f.bytesIn} in)`;
  const errors = f.errors.map((e) => `\n  ${e.node}: ${e.code} ${e.message}`).join('');
  return `${r.peer}: ${f.stored} new entries of ${f.entries} in ${f.pages} pages over ${f.chains} chains${f.interrupted ? ' (stopped early; the next round goes on)' : ''}${errors}`;
}

const meshSyncCommand: Command = {
  name: 'sync',
  summary: 'Run a sync round now against every paired hub (or one), through the running hub',
  usage: 'fazt mesh sync [--peer ID] [--hub URL] [--data DIR] [--json]',
  help: 'Asks the running hub (owner token) to pull what its paired hubs hold and it lacks, verifying every entry.',
  options: { ...HUB_OPTIONS, peer: { type: 'string', value: 'ID', description: 'only this paired hub' } },
  run: async ({ values, out }) => {
    if (values.peer !== undefined && (typeof values.peer !== 'string' || values.peer === '')) throw new UsageError('--peer needs a hub id');
    const r = await askHub<{ rounds: RoundOutcome[] }>(values, '/v1/mesh/sync', { body: values.peer ? { peer: values.peer } : {}, timeoutMs: 300_000 });
    if (values.json) out(`${JSON.stringify(r)}\n`);
    else if (r.rounds.length === 0) out('no paired hub with a url to sync with\n');
    else for (const round of r.rounds) out(`${roundLine(round)}\n`);
    return r.rounds.some((x) => 'error' in x || x.figures.errors.length > 0) ? 1 : 0;
  },
};

const meshStatusCommand: Command = {
  name: 'status',
  summary: "The paired hubs, each one's last round and how far behind, the forks seen and the refusals",
  usage: 'fazt mesh status [--hub URL] [--data DIR] [--json]',
  options: HUB_OPTIONS,
  run: async ({ values, out }) => {
    const s = await askHub<MeshStatus>(values, '/v1/mesh/status');
    if (values.json) {
      out(`${JSON.stringify(s)}\n`);
      return 0;
    }
    const now = Date.now();
    out(`hub ${s.hub}: ${s.peers.length} paired\n`);
    for (const p of s.peers) {
      const last = p.last ? `last round ${ago(p.last.at, now)}: ${roundLine(p.last)}` : 'no round yet';
      out(`  ${p.hub}${p.name ? ` (${p.name})` : ''} ${p.url ?? '(no url)'}: behind on ${p.behind} chains, ahead on ${p.ahead}; ${last}\n`);
    }
    for (const f of s.forks) out(`FORK ${f.node} at seq ${f.seq} (seen from ${f.peer ?? 'this hub'} ${ago(f.at, now)}): kept as proof, neither chain wins\n`);
    for (const r of s.refusals) out(`refused from ${r.peer} (${r.code}) ${ago(r.at, now)}: ${r.message}\n`);
    return 0;
  },
};

/** `fazt mesh`: hubs replicating each other. Each subcommand is one entry of this table. */
export const meshCommand: Command = {
  name: 'mesh',
  summary: "Hubs that replicate each other: pair with the owner's other hubs, list them, sync now, status",
  usage: 'fazt mesh <pair|peers|sync|status> [options]',
  subcommands: [meshPairCommand, meshPeersCommand, meshSyncCommand, meshStatusCommand],
};
