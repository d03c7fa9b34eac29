import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { toBase64url, toHex } from '../../../firmware/codec/text-encodings.js';
import { generateIdentity } from '../../../firmware/identity/node-id.js';
import { nodeCrypto } from '../../crypto/node-crypto.js';
import type { Command } from '../command.js';

/** The key file: the node id, the public key and the secret seed (base64url), like node-config's secretKey. */
export const keygenCommand: Command = {
  name: 'keygen',
  summary: 'Make an Ed25519 key pair and print its node id',
  usage: 'fazt keygen [-o key.json] [--json]',
  help: 'Without -o the key file (including the secret) is printed to stdout.\nWith -o it is written with mode 0600 and only the id and public key are printed.',
  options: { out: { type: 'string', short: 'o' }, json: { type: 'boolean' } },
  run: ({ values, out }) => {
    const id = generateIdentity((n) => new Uint8Array(randomBytes(n)), nodeCrypto);
    const file = { id: id.id, publicKey: toHex(id.publicKey), secretKey: { $bytes: toBase64url(id.secretKey) } };
    if (typeof values.out === 'string') {
      writeFileSync(values.out, JSON.stringify(file, null, 2) + '\n', { mode: 0o600, flag: 'wx' });
      out(values.json ? JSON.stringify({ id: file.id, publicKey: file.publicKey, file: values.out }) + '\n' : `node id    ${file.id}\npublic key ${file.publicKey}\nwritten to ${values.out} (mode 0600)\n`);
    } else {
      out(JSON.stringify(file, null, 2) + '\n');
    }
  },
};
