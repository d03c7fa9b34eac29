import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { fromHex } from '../../firmware/codec/text-encodings.js';
import { identityFromSecretKey } from '../../firmware/identity/node-id.js';
import { nodeCrypto } from '../../host/crypto/node-crypto.js';
import { checkDocumentOnHost } from '../../host/schema/host-validators.js';
import { runFazt } from '../helpers/child-process.js';

const HEX64 = /^[0-9a-f]{64}$/;

describe('keys are lowercase hex wherever people read or type them', () => {
  it('keygen prints and writes hex, and a node configuration takes those very strings', () => {
    const printed = JSON.parse(runFazt(['keygen']).out) as { id: string; publicKey: string; secretKey: unknown };
    assert.match(printed.publicKey, HEX64);
    assert.match(String(printed.secretKey), HEX64);
    assert.equal(identityFromSecretKey(fromHex(String(printed.secretKey)), nodeCrypto).id, printed.id);
    const file = join(mkdtempSync(join(tmpdir(), 'fazt-keys-')), 'k.json');
    assert.equal(runFazt(['keygen', '-o', file]).code, 0);
    const written = JSON.parse(readFileSync(file, 'utf8')) as { publicKey: string; secretKey: string };
    assert.match(written.secretKey, HEX64);
    const config = {
      board: 'esp32-devkitc',
      secretKey: written.secretKey,
      hub: { publicKey: printed.publicKey, token: 'abc' },
      sensors: [],
      uplink: { batchSize: 8, maxDelayMs: 2000 },
      buffer: { budgetBytes: 65536 },
    };
    assert.equal(checkDocumentOnHost('nodeConfig', config), null);
  });
});
