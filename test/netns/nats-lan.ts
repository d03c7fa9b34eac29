/**
 * A nats-server with JetStream on a namespaced LAN host (test/helpers/nats-server.ts runs one
 * on the root namespace's loopback, which no namespace reaches): it listens on the host's LAN
 * address, port 4222 of that namespace, with one password user the hubs sign in as.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { NATS_SERVER, natsSkip } from '../helpers/nats-server.js';
import { eventually, startLanProcess, type LanProcess } from '../helpers/lan-fazt.js';
import type { Lan, LanHost } from '../helpers/netns.js';

export { natsSkip };

export interface LanNats {
  url: string;
  /** `fazt hub` flags to replicate through it. */
  hubFlags: string[];
  proc: LanProcess;
  /** Removes the server's folder (after the LAN's destroy() ended the process). */
  cleanup(): void;
}

export async function startNatsOnLan(lan: Lan, host: LanHost): Promise<LanNats> {
  if (!NATS_SERVER) throw new Error(natsSkip);
  const dir = mkdtempSync(join(tmpdir(), 'fazt-lan-nats-'));
  const password = `pw-${Math.random().toString(36).slice(2)}${Date.now().toString(36)}`;
  const conf = join(dir, 'nats.conf');
  writeFileSync(
    conf,
    [
      `listen: "${host.address}:4222"`,
      `jetstream { store_dir: ${JSON.stringify(join(dir, 'js'))}, max_memory_store: 64MB, max_file_store: 256MB }`,
      `authorization { users: [ { user: "hub", password: ${JSON.stringify(password)} } ] }`,
      '',
    ].join('\n'),
  );
  const passwordFile = join(dir, 'password');
  writeFileSync(passwordFile, `${password}\n`, { mode: 0o600 });
  const proc = startLanProcess(lan, host, NATS_SERVER, ['-c', conf], 'nats-server');
  const url = `nats://${host.address}:4222`;
  // It logs to stderr, as lines that are not JSON: ready when it says so.
  await eventually(async () => (proc.err.some((l) => l.includes('Server is ready')) ? true : undefined), `nats-server on ${host.name} ready`, 10_000, 50);
  return {
    url,
    hubFlags: ['--mesh-nats', url, '--mesh-nats-user', 'hub', '--mesh-nats-password-file', passwordFile],
    proc,
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
}
