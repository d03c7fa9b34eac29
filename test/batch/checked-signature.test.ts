import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { batchSignedForm } from '../../firmware/batch/batch.js';
import { withCheckedSignature } from '../../firmware/batch/checked-signature.js';
import type { CryptoProvider } from '../../firmware/crypto/crypto-provider.js';
import { VerifyError } from '../../firmware/errors.js';
import { verifyBatch } from '../../firmware/batch/verify-batch.js';
import { crypto, TestNode } from '../hub/helpers.js';

/** nodeCrypto that counts its verify calls. */
function counting(): { crypto: CryptoProvider; verifies: () => number } {
  let n = 0;
  return {
    crypto: { ...crypto, verify: (s, m, k) => (n++, crypto.verify(s, m, k)) },
    verifies: () => n,
  };
}

describe('a signature checked once (a mesh page) is not verified again by verifyBatch', () => {
  const node = new TestNode(71);
  node.append(8);
  const formOf = (b: ReturnType<TestNode['batch']>) => batchSignedForm(b.node, b.first, b.last, b.head, b.dropped);

  it('skips the verify for the batch object marked with the form it signs', () => {
    const c = counting();
    const b = node.batch(1, 8);
    verifyBatch(withCheckedSignature(b, formOf(b)), { crypto: c.crypto });
    assert.equal(c.verifies(), 0);
    verifyBatch(node.batch(1, 8), { crypto: c.crypto });
    assert.equal(c.verifies(), 1);
  });

  it('verifies afresh when the marked batch no longer signs those bytes, and refuses a forged one', () => {
    const c = counting();
    const b = node.batch(1, 8);
    withCheckedSignature(b, formOf(b));
    b.sig = new Uint8Array(64); // a forged signature after the mark
    assert.throws(
      () => verifyBatch(b, { crypto: c.crypto }),
      (e: unknown) => e instanceof VerifyError && e.code === 'bad-signature',
    );
    assert.equal(c.verifies(), 1);
    const d = node.batch(1, 8);
    withCheckedSignature(d, formOf(node.batch(1, 4))); // marked with another form
    verifyBatch(d, { crypto: c.crypto });
    assert.equal(c.verifies(), 2);
  });
});
