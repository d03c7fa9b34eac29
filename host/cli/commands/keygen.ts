import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { toHex } from '../../../firmware/codec/text-encodings.js';
import { generateIdentity, identityFromSecretKey, type NodeIdentity } from '../../../firmware/identity/node-id.js';
import { decodeMnemonic, encodeMnemonic } from '../../../firmware/mnemonic/mnemonic.js';
import { MnemonicError } from '../../../firmware/mnemonic/mnemonic-error.js';
import { nodeCrypto } from '../../crypto/node-crypto.js';
import { UsageError, type Command } from '../command.js';
import { wordLines } from './mnemonic.js';

/** The key file: the node id, the public key and the secret seed, all hex (the form node-config's secretKey takes). */
export const keygenCommand: Command = {
  name: 'keygen',
  summary: 'Make an Ed25519 key pair and print its node id',
  usage: 'fazt keygen [-o key.json] [--json] [--format json|mnemonic] [--from-mnemonic "<24 words>" | -]',
  help: [
    'Without -o the key file (including the secret) is printed to stdout.',
    'With -o it is written with mode 0600 and only the id and public key are printed.',
    '',
    '--format mnemonic prints the node id, the public key and the 32-byte secret seed as 24',
    'BIP-39 words (with -o the key file is still JSON; the words are printed as well). Whoever',
    'has the words has the key: write them on paper, keep them offline.',
    '--from-mnemonic rebuilds the key from those 24 words (or from stdin with -) instead of',
    'making a new one.',
  ].join('\n'),
  options: {
    out: {
      type: 'string',
      short: 'o',
      value: 'FILE',
      description: 'write the key file there (mode 0600; never overwrites) and print only the id and public key',
    },
    json: { type: 'boolean', description: 'print id and public key (and the words) as JSON' },
    format: { type: 'string', value: 'FORMAT', description: 'json, or mnemonic: the secret seed as 24 words (default json)' },
    'from-mnemonic': { type: 'string', value: 'WORDS', description: 'rebuild the key from its 24 words (- reads them from stdin)' },
  },
  run: async ({ values, out, stdin }) => {
    const format = String(values.format ?? 'json');
    if (format !== 'json' && format !== 'mnemonic') throw new UsageError(`--format '${format}' is not json or mnemonic`);
    const from = values['from-mnemonic'];
    let id: NodeIdentity;
    if (typeof from === 'string') {
      const { bytes } = decodeMnemonic(from === '-' ? (await stdin()).toString('utf8') : from);
      if (bytes.length !== 32) throw new MnemonicError('mnemonic-length', `a key's secret seed is 24 words; these are ${bytes.length === 16 ? 12 : 48}`);
      id = identityFromSecretKey(bytes, nodeCrypto);
    } else {
      id = generateIdentity((n) => new Uint8Array(randomBytes(n)), nodeCrypto);
    }
    const file = { id: id.id, publicKey: toHex(id.publicKey), secretKey: toHex(id.secretKey) };
    const words = format === 'mnemonic' ? encodeMnemonic(id.secretKey) : undefined;
    if (typeof values.out === 'string') {
      writeFileSync(values.out, JSON.stringify(file, null, 2) + '\n', { mode: 0o600, flag: 'wx' });
      if (values.json)
        out(JSON.stringify({ id: file.id, publicKey: file.publicKey, file: values.out, ...(words ? { mnemonic: words.join(' ') } : {}) }) + '\n');
      else out(`node id    ${file.id}\npublic key ${file.publicKey}\nwritten to ${values.out} (mode 0600)\n` + (words ? secretWords(words) : ''));
    } else if (words) {
      if (values.json) out(JSON.stringify({ id: file.id, publicKey: file.publicKey, mnemonic: words.join(' ') }) + '\n');
      else out(`node id    ${file.id}\npublic key ${file.publicKey}\n` + secretWords(words));
    } else {
      out(JSON.stringify(file, null, 2) + '\n');
    }
  },
};

function secretWords(words: string[]): string {
  return `secret key (24 words; whoever has them has the key):\n${wordLines(words)}`;
}
