import type { CryptoProvider } from '../../firmware/crypto/crypto-provider.js';
import { forgedSignature } from '../store/verify-bundle.js';
import { type CheckedPage, checkNode, checkPage, refusedPage } from './page-in.js';
import type { SignatureThread } from './signature-thread.js';

/**
 * checkPage with the checkpoints' signatures verified on `thread`: the
 * decode, hashes, links and every other check run here when called, the
 * signatures meanwhile on the thread; resolves once the thread confirmed
 * every one, so nothing of the page can be stored before. Refusals are
 * checkPage's, code and message: a fault found here is named as the inline
 * check names it (run again inline, it says whether a signature checked
 * earlier in its order fails first), and the first signature the thread
 * refuses is, as inline, the page's refusal (every other check passed).
 */
export async function checkPageOffThread(crypto: CryptoProvider, node: string, bytes: Uint8Array, thread: SignatureThread): Promise<CheckedPage> {
  const sigs: Uint8Array[] = [];
  let page: CheckedPage;
  try {
    page = checkPage(crypto, node, bytes, (i, sig) => void (sigs[i] = sig));
  } catch (e) {
    checkPage(crypto, node, bytes); // refused inline too (the same checks): with the refusal an inline check gives
    throw e;
  }
  const { bundle: b, signedForms } = page;
  const bad = await thread.verify(b.key, sigs, signedForms);
  if (bad >= 0) throw refusedPage(node, forgedSignature(b.node, b.checkpoints[bad]));
  checkNode(b, node);
  return page;
}
