import type { CryptoProvider } from '../../firmware/crypto/crypto-provider.js';
import { nodeIdFromPublicKey } from '../../firmware/identity/node-id.js';
import { type Invite, InviteBook } from './invites.js';
import type { NodeRegistry } from './nodes.js';
import type { Db } from './open-cartridge.js';

export interface Enrolment {
  token: string;
  publicKey: Uint8Array;
  name?: string;
  board?: string;
}

/** Runs inside the enrolment's transaction (the hub's chain records it there, host/hub/enroll-api.ts); throwing undoes the enrolment. */
export type WithinEnrolment = (r: { node: string; existed: boolean }) => void;

export type EnrolledListener = (e: { node: string; existed: boolean; name?: string; board?: string }) => void;

/**
 * Enrolment: invites are made for it (single-use, host/store/invites.ts); it spends one and registers the key's node in one transaction, then tells the
 * listeners (never with the invite). The caller has checked the key holder's proof. Enrolling an
 * enrolled key again (with a fresh invite) keeps its history and returns the same id.
 */
export class Enrolments {
  private readonly tx: (e: Enrolment, node: string, now: number, within?: WithinEnrolment) => { existed: boolean };
  private readonly listeners = new Set<EnrolledListener>();
  private readonly invites: InviteBook;

  constructor(
    db: Db,
    registry: NodeRegistry,
    private readonly crypto: CryptoProvider,
    private readonly entropy: (n: number) => Uint8Array,
  ) {
    const invites = new InviteBook(db, crypto);
    this.invites = invites;
    const tx = db.transaction((e: Enrolment, node: string, now: number, within?: WithinEnrolment) => {
      invites.claim(e.token, node, now);
      const r = registry.register({ id: node, publicKey: e.publicKey, name: e.name, board: e.board }, now);
      within?.({ node, existed: r.existed });
      return r;
    });
    this.tx = (e, node, now, within) => tx.immediate(e, node, now, within);
  }

  createInvite(options: { ttlMs: number; note?: string }, now: number): Invite {
    return this.invites.create({ ttlMs: options.ttlMs, note: options.note, now, entropy: this.entropy });
  }

  enroll(e: Enrolment, now: number, within?: WithinEnrolment): { node: string; existed: boolean } {
    const node = nodeIdFromPublicKey(e.publicKey, this.crypto);
    const r = { node, ...this.tx(e, node, now, within) };
    for (const l of this.listeners) l({ node, existed: r.existed, name: e.name, board: e.board });
    return r;
  }

  /** Calls `listener` after each committed enrolment; returns the function that stops it. */
  onEnrolled(listener: EnrolledListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}
