import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { identityFromSecretKey, type NodeIdentity } from '../../firmware/identity/node-id.js';
import { MESH_HEADERS, signMeshResponse } from '../../host/mesh/mesh-auth.js';
import type { ChainHead } from '../../host/mesh/chain-heads.js';
import { decodePageRequest, encodeFingerprint, encodeHeads, MESH_PATHS } from '../../host/mesh/mesh-wire.js';
import { crypto } from './helpers.js';

/**
 * A hub that speaks the mesh protocol and serves whatever page it is given:
 * the malicious peer. Its answers are signed by `signer` (its own key unless
 * a test swaps it), or not at all.
 */
export class FakePeer {
  readonly identity: NodeIdentity;
  signer: NodeIdentity | undefined;
  heads: ChainHead[] = [];
  page: Uint8Array = new Uint8Array(0);
  /** When set, the page served for a request is the one starting at the seq asked from (an empty answer for any other). */
  pages: Map<number, Uint8Array> | undefined;
  private server: Server | undefined;

  constructor(seed: number) {
    this.identity = identityFromSecretKey(new Uint8Array(32).fill(seed), crypto);
    this.signer = this.identity;
  }

  async start(): Promise<string> {
    this.server = createServer((req, res) => {
      const parts: Buffer[] = [];
      req.on('data', (c: Buffer) => parts.push(c));
      req.on('end', () => {
        const nonce = String(req.headers[MESH_HEADERS.nonce] ?? '');
        const body =
          req.url === MESH_PATHS.fingerprint
            ? encodeFingerprint(new Uint8Array(32).fill(7))
            : req.url === MESH_PATHS.heads
              ? encodeHeads(this.heads)
              : this.pages
                ? (this.pages.get(decodePageRequest(Buffer.concat(parts)).from) ?? new Uint8Array(0))
                : this.page;
        const headers: Record<string, string> = { 'content-type': 'application/cbor' };
        if (this.signer) headers[MESH_HEADERS.sig] = signMeshResponse(nonce, 200, body, this.signer, crypto);
        res.writeHead(200, headers);
        res.end(body);
      });
    });
    this.server.listen(0, '127.0.0.1');
    await once(this.server, 'listening');
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/`;
  }

  async stop(): Promise<void> {
    const s = this.server;
    if (!s) return;
    s.closeAllConnections();
    s.close();
    await once(s, 'close');
  }
}
