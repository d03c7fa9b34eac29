import { resolve } from 'node:path';
import type { HubOptions } from '../hub/hub-options.js';
import { resolveMeshNats } from '../mesh/nats/nats-options.js';
import { type OptionSpec, stringFlag, UsageError } from './command.js';

/** The NATS JetStream mesh flags of `fazt hub`: secrets only ever from files. */
export const MESH_NATS_FLAGS: Record<string, OptionSpec> = {
  'mesh-nats': { type: 'string', value: 'URL', description: 'replicate over NATS JetStream through this server, e.g. nats://relay.example:4222' },
  'mesh-nats-user': { type: 'string', value: 'USER', description: 'the NATS user (with --mesh-nats-password-file)' },
  'mesh-nats-password-file': { type: 'string', value: 'FILE', description: "a file holding the NATS user's password (never given on the command line)" },
  'mesh-nats-nkey-file': { type: 'string', value: 'FILE', description: 'a file holding a NATS nkey user seed (SU…), instead of a user and password' },
};

/** The flags as HubOptions.meshNats, each mistake a usage error naming its flag and never a secret. */
export function meshNatsFlags(values: Record<string, unknown>): Pick<HubOptions, 'meshNats'> {
  const url = values['mesh-nats'];
  const user = stringFlag(values['mesh-nats-user']);
  const passwordFile = stringFlag(values['mesh-nats-password-file']);
  const nkeyFile = stringFlag(values['mesh-nats-nkey-file']);
  if (url === undefined) {
    for (const f of ['mesh-nats-user', 'mesh-nats-password-file', 'mesh-nats-nkey-file'])
      if (values[f] !== undefined) throw new UsageError(`--${f} needs --mesh-nats (the NATS server's URL)`);
    return {};
  }
  if (nkeyFile !== undefined && (user !== undefined || passwordFile !== undefined))
    throw new UsageError('give either --mesh-nats-user with --mesh-nats-password-file, or --mesh-nats-nkey-file, not both');
  if ((user === undefined) !== (passwordFile === undefined)) throw new UsageError('--mesh-nats-user and --mesh-nats-password-file go together');
  const meshNats = {
    url: String(url),
    ...(user !== undefined ? { user } : {}),
    ...(passwordFile !== undefined ? { passwordFile: resolve(passwordFile) } : {}),
    ...(nkeyFile !== undefined ? { nkeyFile: resolve(nkeyFile) } : {}),
  };
  try {
    resolveMeshNats(meshNats);
  } catch (e) {
    if (e instanceof TypeError || e instanceof RangeError) throw new UsageError(`--mesh-nats: ${e.message.replace(/^meshNats\.url /, '')}`);
    throw e;
  }
  return { meshNats };
}
