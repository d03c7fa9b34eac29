import type { Db } from './open-cartridge.js';
import { StoreError } from './store-error.js';

/** The hub's key pair as the cartridge holds it (migration step 10). */
export interface StoredHubKey {
  id: string;
  publicKey: Uint8Array;
  secretKey: Uint8Array;
  origin: 'created' | 'imported';
  createdAt: number;
}

interface Row {
  id: string;
  public_key: Buffer;
  secret_key: Buffer;
  origin: 'created' | 'imported';
  created_at: number;
  certificate: string | null;
}

/**
 * The one row of `hub_identity`: the hub's key pair, set once and never
 * replaced (a second put is refused, so two starts racing cannot give a hub
 * two identities), and the PEM of its certificate, which may be remade.
 */
export class HubIdentityStore {
  constructor(private readonly db: Db) {}

  key(): StoredHubKey | undefined {
    const r = this.row();
    return r && { id: r.id, publicKey: new Uint8Array(r.public_key), secretKey: new Uint8Array(r.secret_key), origin: r.origin, createdAt: r.created_at };
  }

  /** Stores the key; throws StoreError 'exists' when the cartridge has one already. */
  put(key: Omit<StoredHubKey, 'createdAt'>, now: number): void {
    const r = this.db
      .prepare('INSERT INTO hub_identity (one, id, public_key, secret_key, origin, created_at) VALUES (1, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING')
      .run(key.id, key.publicKey, key.secretKey, key.origin, now);
    if (r.changes === 0) throw new StoreError('exists', `the cartridge already holds hub ${this.row()?.id}'s key; a hub's key is never replaced`);
  }

  certificate(): string | undefined {
    return this.row()?.certificate ?? undefined;
  }

  setCertificate(pem: string): void {
    const r = this.db.prepare('UPDATE hub_identity SET certificate = ? WHERE one = 1').run(pem);
    if (r.changes === 0) throw new StoreError('io', 'the cartridge holds no hub key to keep a certificate for');
  }

  private row(): Row | undefined {
    return this.db.prepare<[], Row>('SELECT id, public_key, secret_key, origin, created_at, certificate FROM hub_identity WHERE one = 1').get();
  }
}
