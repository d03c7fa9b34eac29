import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { toBase64url } from '../../firmware/codec/text-encodings.js';
import { identityFromSecretKey } from '../../firmware/identity/node-id.js';
import { nodeCrypto } from '../../host/crypto/node-crypto.js';
import { startFaztHub, stopGently } from '../helpers/child-process.js';
import { authFrom } from '../hub/helpers.js';

const root = new URL('../..', import.meta.url).pathname;
const bin = join(root, 'bin/fazt.js');
const fazt = (args: string[]) => spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8', timeout: 120_000, cwd: root });

describe('fazt invite --chirp and fazt enroll', () => {
  it('a hub writes a signed invite as sound; a node decodes it and enrols over the network', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'fazt-enrol-cli-'));
    let hub: Awaited<ReturnType<typeof startFaztHub>> | undefined;
    try {
      hub = await startFaztHub(join(dir, 'data'));
      const url = hub.url;
      const wav = join(dir, 'invite.wav');
      const inv = fazt(['invite', '--data', join(dir, 'data'), '--chirp', '-o', wav, '--url', url]);
      assert.equal(inv.status, 0, inv.stderr);
      assert.match(inv.stdout, /wrote .*invite\.wav: a signed invite/);
      const key = join(dir, 'key.json');
      assert.equal(fazt(['keygen', '-o', key]).status, 0);
      const id = (JSON.parse(readFileSync(key, 'utf8')) as { id: string }).id;
      const keyFile = JSON.parse(readFileSync(key, 'utf8')) as { publicKey: string; secretKey: string };
      assert.match(keyFile.secretKey, /^[0-9a-f]{64}$/, 'key files hold hex');
      const en = fazt(['enroll', '--from-wav', wav, '--key', key, '--name', 'heard-it']);
      assert.equal(en.status, 0, en.stderr);
      assert.match(en.stdout, new RegExp(`enrolled ${id}`));
      const hubKey = (JSON.parse(fazt(['invite', '--data', join(dir, 'data'), '--json']).stdout) as { hubKey: string }).hubKey;
      assert.match(en.stdout, new RegExp(`\\nhub key ${hubKey} \\(signature checked\\)\\n$`), 'the hub key in hex, as invite --json prints it');
      const nodes = (await (await fetch(`${url}/v1/nodes`, { headers: authFrom(join(dir, 'data')) })).json()) as { nodes: { id: string; name: string }[] };
      assert.deepStrictEqual(
        nodes.nodes.map((n) => [n.id, n.name]),
        [[id, 'heard-it']],
      );
      const again = fazt(['enroll', '--from-wav', wav, '--key', key]);
      assert.notEqual(again.status, 0, 'the invite was single-use');
      assert.match(again.stderr, /invite-used/);
      // a key file written before keys were hex ({"$bytes": base64url}) still enrols
      const old = join(dir, 'old-key.json');
      const seed = new Uint8Array(32).fill(7);
      writeFileSync(old, JSON.stringify({ secretKey: { $bytes: toBase64url(seed) } }));
      const wav2 = join(dir, 'invite2.wav');
      assert.equal(fazt(['invite', '--data', join(dir, 'data'), '--chirp', '-o', wav2, '--url', url]).status, 0);
      const legacy = fazt(['enroll', '--from-wav', wav2, '--key', old]);
      assert.equal(legacy.status, 0, legacy.stderr);
      assert.match(legacy.stdout, new RegExp(`enrolled ${identityFromSecretKey(seed, nodeCrypto).id}`));
    } finally {
      if (hub) await stopGently(hub);
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
