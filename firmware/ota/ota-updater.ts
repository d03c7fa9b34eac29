import type { Ota } from '../../hal/contracts/ota.js';
import type { Timers } from '../../hal/contracts/time.js';
import { fromHex, toHex } from '../codec/text-encodings.js';
import type { Value, ValueMap } from '../codec/value.js';
import type { CryptoProvider, Sha256Stream } from '../crypto/crypto-provider.js';
import { bytesEqual } from '../event/verify-chain.js';
import type { NodeIdentity } from '../identity/node-id.js';
import type { ChunkResult } from '../uplink/transport.js';
import { keyList } from '../uplink/hub-keys.js';
import { createChunkRequest } from './chunk-request.js';
import { verifyManifest } from './firmware-manifest.js';
import { checkOtaOffer, chunkCount, type OtaOffer, offerManifest } from './ota-offer.js';

export interface OtaUpdaterOptions {
  identity: NodeIdentity;
  /** The node configuration's board: an image for another board is refused. */
  board: string;
  /** The hub public key of the node configuration, or the owner's hub keys (node-config.ts hubKeys): the only keys an image may be signed by. */
  hubKey: Uint8Array | readonly Uint8Array[];
  crypto: CryptoProvider;
  ota: Ota;
  /** The version of the image running now. */
  running: string;
  /** The transport's chunk fetch; absent, offers are refused ('no-transport'). */
  fetchChunk: ((request: Uint8Array, done: (r: ChunkResult) => void) => void) | undefined;
  timers: Timers;
  /** Appends an event to the node's chain; returns its seq. */
  record: (type: string, component: string, data: Value) => number;
  /** Sends what waits now (an outcome the hub should learn before a reboot). */
  flush: () => void;
  /** Whether every recorded event has been sent and acknowledged (a reboot loses what waits in RAM). */
  idle: () => boolean;
  /** Reboots into the committed image (the device resets; the simulator re-creates the node). */
  restart: () => void;
  log?: (line: string) => void;
}

/** Attempts per chunk before the download is given up (the hub sends the offer again only if it never learnt the outcome). */
const ATTEMPTS = 4;
const RETRY_MS = 2000;

/**
 * A node's firmware update, from the offer in a verified hub answer to the
 * first healthy boot of the new image. In order: the offer's fields, its
 * board, the hub's signature over its manifest (before a byte is fetched);
 * then the chunks, each fetched with a request signed by the node's key,
 * hashed as they stream into the OTA slot; then, before commit, the
 * streamed SHA-256 against the signed one. Any failure aborts the slot, so
 * the running image stays the boot image, and is recorded as
 * system.ota.refused with the reason. A committed image is recorded as
 * system.ota.applied; the node reboots once the hub has acknowledged that
 * event and everything recorded after it. After the boot, the first acknowledged uplink confirms the image
 * (system.ota.confirmed); a boot that never gets there is rolled back by the
 * bootloader and the next boot says so (system.ota.rolledback).
 */
export class OtaUpdater {
  private busy: { offer: OtaOffer; base: ValueMap } | undefined;
  private restartAfter = 0;
  private confirmPending = false;

  constructor(private readonly o: OtaUpdaterOptions) {}

  /** A download is in progress (from system.ota.started until applied or refused). */
  get downloading(): boolean {
    return this.busy !== undefined;
  }

  /**
   * Gives up the download in progress, if any: the slot is aborted and the
   * offer settled as system.ota.refused with `reason` (a deep-sleep wake that
   * must end says 'wake-ended'), so the hub learns the outcome instead of
   * waiting for one. A chunk answer still on its way is then ignored.
   */
  abandon(reason: string, message: string): void {
    if (this.busy) this.fail(reason, message);
  }

  /** At boot, after system.boot: what the bootloader did. */
  boot(): void {
    const from = this.o.ota.rolledBackFrom;
    if (from !== undefined) this.o.record('system.ota.rolledback', 'ota', { from, running: this.o.running });
    this.confirmPending = this.o.ota.pendingVerify;
  }

  /** An acknowledgement up to `ackSeq` came: a pending image is healthy; an applied one may reboot. */
  acked(ackSeq: number): void {
    if (this.confirmPending) {
      this.confirmPending = false;
      this.o.ota.confirm();
      this.o.record('system.ota.confirmed', 'ota', { version: this.o.running });
      this.o.flush();
    }
    if (this.restartAfter > 0 && ackSeq >= this.restartAfter && this.o.idle()) {
      this.restartAfter = 0;
      this.o.restart();
    }
  }

  /** A command whose action is an OTA offer (base: {command, seq}); records started or refused at once. */
  offer(base: ValueMap, action: unknown): void {
    let offer: OtaOffer;
    try {
      offer = checkOtaOffer(action);
    } catch (e) {
      this.refuse(base, 'bad-offer', (e as Error).message);
      return;
    }
    const at: ValueMap = { ...base, version: offer.version, sha256: offer.sha256 };
    if (this.busy) return this.refuse(at, 'busy', `an update to ${this.busy.offer.version} is in progress`);
    if (!this.o.fetchChunk) return this.refuse(at, 'no-transport', 'this node has no way to fetch firmware chunks');
    if (offer.board !== this.o.board) return this.refuse(at, 'wrong-board', `the image is for ${offer.board}, this node is a ${this.o.board}`);
    if (offer.version === this.o.running) return this.refuse(at, 'same-version', `version ${offer.version} is running already`);
    const manifest = offerManifest(offer);
    const sig = fromHex(offer.sig);
    if (!keyList(this.o.hubKey).some((k) => verifyManifest(manifest, sig, k, this.o.crypto)))
      return this.refuse(at, 'bad-signature', "the image's manifest is not signed by a hub key of this node's configuration");
    try {
      this.o.ota.begin(offer.size);
    } catch (e) {
      return this.refuse(at, 'begin-failed', (e as Error).message);
    }
    this.busy = { offer, base: at };
    this.o.record('system.ota.started', 'ota', { ...at, from: this.o.running, size: offer.size, chunks: chunkCount(offer.size, offer.chunk) });
    const hash = this.o.crypto.sha256Stream();
    this.fetch(offer, hash, 0, 1);
  }

  private fetch(offer: OtaOffer, hash: Sha256Stream, n: number, attempt: number): void {
    const count = chunkCount(offer.size, offer.chunk);
    const want = n === count - 1 ? offer.size - n * offer.chunk : offer.chunk;
    const request = createChunkRequest(this.o.identity, fromHex(offer.sha256), n, this.o.crypto);
    const busy = this.busy;
    (this.o.fetchChunk as NonNullable<OtaUpdaterOptions['fetchChunk']>)(request, (r) => {
      // Abandoned (or replaced) while this chunk was on its way.
      if (this.busy !== busy) return;
      if (!r.ok || r.bytes.length !== want) {
        const why = r.ok ? `chunk ${n} is ${r.bytes.length} bytes, expected ${want}` : r.message;
        if (r.ok || r.refused || attempt >= ATTEMPTS) return this.fail('download-failed', `chunk ${n}: ${why}`);
        this.o.log?.(`chunk ${n} failed (${why}); retrying`);
        this.o.timers.setTimeout(() => this.busy === busy && this.fetch(offer, hash, n, attempt + 1), RETRY_MS * attempt);
        return;
      }
      try {
        hash.update(r.bytes);
        this.o.ota.write(r.bytes);
      } catch (e) {
        return this.fail('write-failed', `chunk ${n}: ${(e as Error).message}`);
      }
      // The next chunk from a fresh turn: a transport that answers at once must not grow the stack per chunk.
      if (n + 1 < count) this.o.timers.setTimeout(() => this.busy === busy && this.fetch(offer, hash, n + 1, 1), 0);
      else this.finish(offer, hash.digest());
    });
  }

  private finish(offer: OtaOffer, digest: Uint8Array): void {
    if (!bytesEqual(digest, fromHex(offer.sha256)))
      return this.fail('hash-mismatch', `the image streamed hashes to ${toHex(digest)}, the signed manifest says ${offer.sha256}`);
    try {
      this.o.ota.commit();
    } catch (e) {
      return this.fail('commit-failed', (e as Error).message);
    }
    const at = (this.busy as { base: ValueMap }).base;
    this.busy = undefined;
    this.restartAfter = this.o.record('system.ota.applied', 'ota', { ...at, from: this.o.running });
    this.o.flush();
  }

  private fail(reason: string, message: string): void {
    const at = (this.busy as { base: ValueMap }).base;
    this.busy = undefined;
    this.o.ota.abort();
    this.refuse(at, reason, message);
    this.o.flush();
  }

  private refuse(base: ValueMap, reason: string, message: string): void {
    this.o.log?.(`refused a firmware update (${reason}): ${message}`);
    this.o.record('system.ota.refused', 'ota', { ...base, reason, message, running: this.o.running });
  }
}
