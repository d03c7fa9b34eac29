import type { HttpPost } from '../../hal/contracts/http.js';
import { toHex } from '../codec/text-encodings.js';
import { utf8Encode } from '../codec/utf8.js';
import type { CryptoProvider } from '../crypto/crypto-provider.js';
import type { NodeIdentity } from '../identity/node-id.js';
import { enrollRequest } from '../node/enroll-request.js';
import { type ChunkResult, chunkReply, replyObject, uplinkReply, type UplinkResult } from '../uplink/transport.js';

/**
 * An invite to enrol with. `persistent`: the token outlives the enrolment (a
 * device keeps it in flash and restarts with it), so an invite-used answer
 * may be this node's own earlier enrolment: the link reports the refusal,
 * then uplinks; an acknowledgement settles the enrolment, a refused uplink
 * (unknown-node: someone else used the invite) sends it back to searching.
 */
export interface HubInvite {
  token: string;
  name?: string;
  board?: string;
  persistent?: boolean;
}

export type EnrolResult =
  | { ok: true; node: string }
  /** The hub said no, or enrolled us under another key than the invite's (hub-key-mismatch); `reason` says why it is given up. */
  | { ok: false; refused: true; code: string; message: string; reason: string }
  /** No answer (network error, timeout). */
  | { ok: false; refused: false; reason: string };

/**
 * The node's two requests to a hub's API (README: The hub), over the
 * backend's HttpPost: enrolment with an invite (POST /v1/enroll, the answer
 * checked against the hub key the invite carries) and one uplink batch
 * (POST /v1/uplink, deterministic CBOR).
 */
export class HubClient {
  private readonly hubKeyHex: string;

  constructor(
    private readonly http: HttpPost,
    private readonly identity: NodeIdentity,
    private readonly crypto: CryptoProvider,
    hubKey: Uint8Array,
  ) {
    this.hubKeyHex = toHex(hubKey);
  }

  /** Enrols this node at the hub whose API is at `url`. */
  enrol(url: string, invite: HubInvite, done: (result: EnrolResult) => void): void {
    const body = utf8Encode(JSON.stringify(enrollRequest(invite.token, this.identity, this.crypto, { name: invite.name, board: invite.board })));
    this.http(`${url}/v1/enroll`, 'application/json', body, (reply) => {
      if ('error' in reply) return done({ ok: false, refused: false, reason: reply.error });
      const parsed = replyObject(reply.body) as { node?: unknown; hub?: { publicKey?: unknown }; error?: { code?: unknown; message?: unknown } };
      if (reply.status === 200 && typeof parsed.node === 'string') {
        if (!parsed.hub || parsed.hub.publicKey !== this.hubKeyHex)
          return done({
            ok: false,
            refused: true,
            code: 'hub-key-mismatch',
            message: `the hub at ${url} enrolled us under another key`,
            reason: 'wrong hub key',
          });
        return done({ ok: true, node: parsed.node });
      }
      const err = parsed.error ?? {};
      done({
        ok: false,
        refused: true,
        code: typeof err.code === 'string' ? err.code : `http-${reply.status}`,
        message: typeof err.message === 'string' ? err.message : `HTTP ${reply.status}`,
        reason: `enrolment refused (HTTP ${reply.status})`,
      });
    });
  }

  /** Sends one signed batch to the hub whose API is at `url`. */
  uplink(url: string, batch: Uint8Array, done: (result: UplinkResult) => void): void {
    this.http(`${url}/v1/uplink`, 'application/cbor', batch, (reply) => done(uplinkReply(reply)));
  }

  /** Fetches one chunk of a firmware image offered to this node (a request signed by its key, firmware/ota/chunk-request.ts). */
  chunk(url: string, request: Uint8Array, done: (result: ChunkResult) => void): void {
    this.http(`${url}/v1/firmware/chunk`, 'application/cbor', request, (reply) => done(chunkReply(reply)));
  }
}
