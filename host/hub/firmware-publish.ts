import { toHex } from '../../firmware/codec/text-encodings.js';
import type { CryptoProvider } from '../../firmware/crypto/crypto-provider.js';
import type { NodeIdentity } from '../../firmware/identity/node-id.js';
import { signManifest } from '../../firmware/ota/firmware-manifest.js';
import { checkOtaOffer, type OtaOffer } from '../../firmware/ota/ota-offer.js';
import { getBoard } from '../boards/board-registry.js';
import type { Cartridge } from '../store/cartridge.js';
import type { FirmwareImage } from '../store/firmware-images.js';
import { HttpError } from './http-error.js';
import type { HubLog } from './hub-log.js';

/** Chunks a node fetches an image in, by default: small enough for a node's heap, few enough requests. */
const DEFAULT_CHUNK = 4096;
/** How long an offer stands: a node that has not acted on it by then does not. */
const OFFER_MS = 7 * 86_400_000;

export interface PublishInput {
  board: string;
  version: string;
  bytes: Uint8Array;
  /** Node ids the image is offered to now (each must be a node of the image's board). */
  nodes: readonly string[];
  chunk?: number;
  /** Who asked (the owner's token), as the hub's events cite it. */
  by: { token: string; name: string; via: string };
}

export interface PublishResult {
  image: FirmwareImage;
  existed: boolean;
  offers: { node: string; command: string }[];
}

/**
 * `fazt firmware publish`: stores the image with the hub's signature over
 * its manifest and offers it to the nodes named, each an event on the hub's
 * chain in the same commit: system.firmware.published (citing the image's
 * hash, once per image) and system.firmware.offered (per node, citing the
 * command that carries the offer in the node's next signed answer).
 */
export function publishFirmware(
  ctx: { cartridge: Cartridge; hubLog: HubLog; hubKey: NodeIdentity; crypto: CryptoProvider; now: number },
  input: PublishInput,
): PublishResult {
  const { cartridge, hubLog: log } = ctx;
  try {
    getBoard(input.board);
  } catch (e) {
    throw new HttpError(400, 'unknown-board', (e as Error).message, { path: '/board' });
  }
  let m;
  try {
    m = cartridge.firmware.manifest(input.board, input.version, input.bytes);
  } catch (e) {
    throw new HttpError(400, 'bad-request', (e as Error).message);
  }
  const sig = signManifest(m, ctx.hubKey, ctx.crypto);
  const offer: OtaOffer = checkOtaOffer({
    op: 'ota',
    board: m.board,
    version: m.version,
    size: m.size,
    sha256: toHex(m.sha256),
    sig: toHex(sig),
    chunk: input.chunk ?? DEFAULT_CHUNK,
  });
  const known = new Map(cartridge.nodeNames().map((n) => [n.id, n]));
  for (const id of input.nodes) {
    const n = known.get(id);
    if (!n) throw new HttpError(404, 'unknown-node', `no enrolled node ${id}`);
    if (n.board !== m.board) throw new HttpError(400, 'wrong-board', `node ${id} is a ${n.board ?? '(board unknown)'}, the image is for ${m.board}`);
  }
  return log.atomically(() => {
    const { image, existed } = cartridge.firmware.add(m, sig, input.bytes, ctx.now);
    if (!existed) {
      const e = log.append('system.firmware.published', 'owner', { board: m.board, version: m.version, size: m.size, sha256: image.sha256, by: input.by });
      cartridge.firmware.published(m.sha256, e.id);
    }
    // A stored image keeps the signature it was published with.
    const stored = { ...offer, sig: image.signature };
    const offers = input.nodes.map((node) => {
      const cmd = cartridge.commands.enqueueOffer(node, stored, { notAfterMs: ctx.now + OFFER_MS });
      const e = log.append('system.firmware.offered', 'owner', { node, version: m.version, sha256: image.sha256, command: cmd.id, by: input.by });
      cartridge.commands.setCause(cmd.id, e.id);
      return { node, command: cmd.id };
    });
    return { image: cartridge.firmware.get(m.sha256) as FirmwareImage, existed, offers };
  });
}
