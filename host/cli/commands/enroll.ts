import { randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { fromJsonValue } from '../../../firmware/codec/json-form.js';
import { fromHex, toHex } from '../../../firmware/codec/text-encodings.js';
import { FaztError } from '../../../hal/contracts/errors.js';
import { generateIdentity, identityFromSecretKey, type NodeIdentity } from '../../../firmware/identity/node-id.js';
import { enrollRequest } from '../../../firmware/node/enroll-request.js';
import { openSoundInvite } from '../../../firmware/node/sound-invite.js';
import { chunked, receiveMessage } from '../../chirp/chirp.js';
import { readWavAt48k } from '../../chirp/wav.js';
import { nodeCrypto } from '../../crypto/node-crypto.js';
import { UsageError, type Command } from '../command.js';

/** A key file from `fazt keygen -o`: secretKey as hex, or as {"$bytes": …} in files written before hex. */
function loadKey(file: string): NodeIdentity {
  const doc = fromJsonValue(JSON.parse(readFileSync(file, 'utf8'))) as { secretKey?: unknown };
  const sk = doc.secretKey;
  const bytes = typeof sk === 'string' && /^[0-9a-fA-F]{64}$/.test(sk) ? fromHex(sk.toLowerCase()) : sk;
  if (!(bytes instanceof Uint8Array) || bytes.length !== 32)
    throw new FaztError('key', `${file} has no 32-byte secretKey (make one with fazt keygen -o ${file})`);
  return identityFromSecretKey(bytes, nodeCrypto);
}

export const enrollCommand: Command = {
  name: 'enroll',
  summary: 'Enrol this node with a hub from an invite heard as sound (Chirp)',
  usage: 'fazt enroll --from-wav heard.wav [--key key.json] [--name N] [--board ID]',
  help: "Decodes the invite from the recording, checks the hub's signature and the expiry, then enrols\nover the network (POST /v1/enroll) with the token. Without --key a new key is made and written to\nnode-key.json (mode 0600). Prints the node id and the hub's public key to keep.",
  options: {
    'from-wav': { type: 'string', value: 'WAV', description: 'the recording of the invite (fazt invite --chirp)' },
    key: { type: 'string', value: 'FILE', description: "this node's key file (default: make one and write node-key.json)" },
    name: { type: 'string', value: 'NAME', description: 'the name the hub shows for this node' },
    board: { type: 'string', value: 'ID', description: 'the board id the hub records (fazt boards)' },
  },
  run: async ({ values, out }) => {
    if (typeof values['from-wav'] !== 'string') throw new UsageError('enroll needs --from-wav <recording.wav>');
    const heard = await receiveMessage(chunked(readWavAt48k(new Uint8Array(readFileSync(values['from-wav'])))), { timeoutSeconds: 600 });
    const invite = openSoundInvite(heard, nodeCrypto, Date.now());
    let identity: NodeIdentity;
    if (typeof values.key === 'string') identity = loadKey(values.key);
    else {
      identity = generateIdentity((n) => new Uint8Array(randomBytes(n)), nodeCrypto);
      writeFileSync(
        'node-key.json',
        JSON.stringify({ id: identity.id, publicKey: toHex(identity.publicKey), secretKey: toHex(identity.secretKey) }, null, 2) + '\n',
        { mode: 0o600, flag: 'wx' },
      );
    }
    const info = { name: typeof values.name === 'string' ? values.name : undefined, board: typeof values.board === 'string' ? values.board : undefined };
    let res: Response;
    try {
      res = await fetch(`${invite.url.replace(/\/$/, '')}/v1/enroll`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(enrollRequest(invite.token, identity, nodeCrypto, info)),
      });
    } catch (e) {
      throw new FaztError('network', `cannot reach ${invite.url}: ${(e as { cause?: { code?: string } }).cause?.code ?? (e as Error).message}`);
    }
    const body = await res.text();
    if (res.status !== 200) throw new FaztError('enroll', `${invite.url} refused the enrolment: HTTP ${res.status} ${body}`);
    out(`enrolled ${identity.id} with the hub at ${invite.url}\nhub key ${toHex(invite.hub)} (signature checked)\n`);
  },
};
