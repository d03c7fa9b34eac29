import type { Statement } from 'better-sqlite3';
import { toHex } from '../../firmware/codec/text-encodings.js';
import type { CryptoProvider } from '../../firmware/crypto/crypto-provider.js';
import { checkManifest, type FirmwareManifest } from '../../firmware/ota/firmware-manifest.js';
import type { Db } from './open-cartridge.js';
import { StoreError } from './store-error.js';

/** A stored image, without its bytes. */
export interface FirmwareImage {
  board: string;
  version: string;
  size: number;
  /** 64 hex digits. */
  sha256: string;
  /** 128 hex digits: the hub's signature over the manifest. */
  signature: string;
  publishedAt: number;
  /** The id of the hub's system.firmware.published event. */
  event: string | null;
}

interface Row {
  board: string;
  version: string;
  size: number;
  sha256: Buffer;
  signature: Buffer;
  published_at: number;
  event: string | null;
}

const COLUMNS = 'board, version, size, sha256, signature, published_at, event';

function image(r: Row): FirmwareImage {
  return {
    board: r.board,
    version: r.version,
    size: r.size,
    sha256: toHex(r.sha256),
    signature: toHex(r.signature),
    publishedAt: r.published_at,
    event: r.event,
  };
}

/** A node an image was offered to: the command that carries the offer and its state. */
export interface FirmwareOffer {
  node: string;
  command: string;
  state: string;
}

/**
 * The firmware images in the cartridge (migration step 12). Storing is
 * idempotent on the image's hash; a board's version names one image only.
 * Offers are commands in the downlink queue (host/store/commands.ts); read
 * here is which nodes an image went to and whether one may fetch it now.
 */
export class FirmwareImages {
  private readonly insert: Statement<[string, string, number, Buffer, Buffer, Buffer, number]>;
  private readonly bySha: Statement<[Buffer], Row>;
  private readonly byVersion: Statement<[string, string], Row>;
  private readonly all: Statement<[], Row>;
  private readonly slice: Statement<[number, number, Buffer], Buffer | null>;
  private readonly setEvent: Statement<[string, Buffer]>;
  private readonly offersOf: Statement<[string], FirmwareOffer>;
  private readonly openOf: Statement<[string, string], number | null>;

  constructor(
    db: Db,
    private readonly crypto: CryptoProvider,
  ) {
    this.insert = db.prepare('INSERT INTO firmware_images (board, version, size, sha256, signature, bytes, published_at) VALUES (?, ?, ?, ?, ?, ?, ?)');
    this.bySha = db.prepare(`SELECT ${COLUMNS} FROM firmware_images WHERE sha256 = ?`);
    this.byVersion = db.prepare(`SELECT ${COLUMNS} FROM firmware_images WHERE board = ? AND version = ?`);
    this.all = db.prepare(`SELECT ${COLUMNS} FROM firmware_images ORDER BY board, published_at, version`);
    this.slice = db.prepare<[number, number, Buffer], Buffer | null>('SELECT substr(bytes, ?, ?) FROM firmware_images WHERE sha256 = ?').pluck();
    this.setEvent = db.prepare('UPDATE firmware_images SET event = ? WHERE sha256 = ? AND event IS NULL');
    const offer = "json_extract(action, '$.op') = 'ota' AND json_extract(action, '$.sha256') = ?";
    this.offersOf = db.prepare(`SELECT node, id AS command, state FROM commands WHERE ${offer} ORDER BY node, seq`);
    this.openOf = db
      .prepare<[string, string], number | null>(
        `SELECT json_extract(action, '$.chunk') FROM commands WHERE node = ? AND state = 'delivered' AND ${offer} ORDER BY seq DESC LIMIT 1`,
      )
      .pluck();
  }

  /** The manifest of `bytes` for a board and version (checked, naming the field). */
  manifest(board: string, version: string, bytes: Uint8Array): FirmwareManifest {
    return checkManifest({ board, version, size: bytes.length, sha256: this.crypto.sha256(bytes) });
  }

  /**
   * Stores an image with the hub's signature over its manifest. The same
   * image again is not stored twice (existed: true); another image under a
   * version the board already has is refused ('version-exists').
   */
  add(m: FirmwareManifest, signature: Uint8Array, bytes: Uint8Array, now: number): { image: FirmwareImage; existed: boolean } {
    const same = this.bySha.get(Buffer.from(m.sha256));
    if (same) return { image: image(same), existed: true };
    const taken = this.byVersion.get(m.board, m.version);
    if (taken)
      throw new StoreError(
        'version-exists',
        `version ${m.version} for ${m.board} is already another image (sha256 ${toHex(taken.sha256)}): publish under a new version`,
      );
    this.insert.run(m.board, m.version, m.size, Buffer.from(m.sha256), Buffer.from(signature), Buffer.from(bytes), now);
    return { image: image(this.bySha.get(Buffer.from(m.sha256)) as Row), existed: false };
  }

  /** Names the hub event that published the image (written after it, since the event cites the hash). */
  published(sha256: Uint8Array, event: string): void {
    this.setEvent.run(event, Buffer.from(sha256));
  }

  get(sha256: Uint8Array): FirmwareImage | undefined {
    const r = this.bySha.get(Buffer.from(sha256));
    return r ? image(r) : undefined;
  }

  find(board: string, version: string): FirmwareImage | undefined {
    const r = this.byVersion.get(board, version);
    return r ? image(r) : undefined;
  }

  list(): FirmwareImage[] {
    return this.all.all().map(image);
  }

  /** The nodes the image (SHA-256 hex) was offered to. */
  offers(sha256: string): FirmwareOffer[] {
    return this.offersOf.all(sha256);
  }

  /**
   * The chunk size of the node's open offer of the image (SHA-256 hex): one
   * delivered in a signed answer and not yet settled by the node's outcome;
   * undefined when there is none.
   */
  openOffer(node: string, sha256: string): number | undefined {
    return this.openOf.get(node, sha256) ?? undefined;
  }

  /** Chunk n (from 0) of `chunk` bytes, or undefined when there is no such image or chunk. */
  chunk(sha256: Uint8Array, n: number, chunk: number): Uint8Array | undefined {
    const b = this.slice.get(n * chunk + 1, chunk, Buffer.from(sha256));
    return b && b.length > 0 ? new Uint8Array(b) : undefined;
  }
}
