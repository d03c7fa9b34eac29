import type { CryptoProvider } from '../../firmware/crypto/crypto-provider.js';
import { bytesEqual } from '../../firmware/event/verify-chain.js';
import type { NodeIdentity } from '../../firmware/identity/node-id.js';
import { nodeCrypto } from '../crypto/node-crypto.js';
import type { ChainHead } from './chain-heads.js';
import { checkMeshResponse, MESH_HEADERS, signMeshRequest } from './mesh-auth.js';
import { MeshError, type MeshErrorCode } from './mesh-error.js';
import { keepAlivePost, type MeshPost } from './mesh-post.js';
import type { MeshStore } from './mesh-store.js';
import { pageLast } from './page-last.js';
import { SignatureThread } from './signature-thread.js';
import { decodeFingerprint, decodeHeads, encodeFingerprint, encodeHeads, encodePageRequest, MESH_PATHS } from './mesh-wire.js';
import type { Peer } from './peer-book.js';

/** What one round against one peer did: the figures a test or bench compares. */
export interface RoundFigures {
  peer: string;
  /** True when the fingerprints matched: one round trip, nothing else sent. */
  idle: boolean;
  /** Chains the peer was ahead on (or held otherwise). */
  chains: number;
  pages: number;
  /** Entries received in pages, and how many of them were new here. */
  entries: number;
  stored: number;
  /** Body bytes sent and received (requests and answers, headers not counted). */
  bytesOut: number;
  bytesIn: number;
  /** Chains that failed this round (the others went on): node, MeshError code, message. */
  errors: { node: string; code: MeshErrorCode; message: string }[];
  /** True when the round stopped at maxPages with chains still behind (the next round resumes from the stored heads). */
  interrupted: boolean;
  ms: number;
}

export interface SyncRoundOptions {
  mesh: MeshStore;
  /** This hub's key: it signs every request. */
  self: NodeIdentity;
  peer: Peer;
  /** Where the peer listens (default: its stored url). */
  url?: string;
  crypto: CryptoProvider;
  clock: () => number;
  entropy: (n: number) => Uint8Array;
  /** Entries asked per page (bounded by the server's MAX_PAGE_ENTRIES). */
  pageLimit?: number;
  /** Stop after this many pages (an interrupted round, for tests; the next round resumes). */
  maxPages?: number;
  /** How requests are sent (default: keepAlivePost, its connections closed when the round ends). */
  post?: MeshPost;
  timeoutMs?: number;
}

const DEFAULT_PAGE_LIMIT = 2048;

/**
 * One sync round against one paired hub: compare fingerprints (one round
 * trip when nothing changed); else tell it our heads and get back its heads
 * that differ, then pull each chain it is ahead on in pages until caught up,
 * paired hubs' chains first (their administration makes nodes known). Every
 * request is signed and every answer checked against the peer's stored key.
 * A chain's error (a refused page, a fork, an unknown node) is listed and the
 * other chains go on; an unreachable peer or a refused request throws
 * MeshError. Resumable: progress is the stored heads. Pipelined: the next
 * page (of the chain, or the next chain's first) is asked for, and its
 * request sent, before the one received is verified and stored.
 */
export async function syncRound(o: SyncRoundOptions): Promise<RoundFigures> {
  if (o.post) return roundWith(o, o.post);
  const connections = keepAlivePost(o.peer.hub);
  try {
    return await roundWith(o, connections.post);
  } finally {
    connections.close();
  }
}

async function roundWith(o: SyncRoundOptions, post: MeshPost): Promise<RoundFigures> {
  const started = o.clock();
  const url = o.url ?? o.peer.url;
  if (!url) throw new RangeError(`peer ${o.peer.hub} has no url to sync with`);
  const f: RoundFigures = {
    peer: o.peer.hub,
    idle: false,
    chains: 0,
    pages: 0,
    entries: 0,
    stored: 0,
    bytesOut: 0,
    bytesIn: 0,
    errors: [],
    interrupted: false,
    ms: 0,
  };
  const call = async (path: string, body: Uint8Array): Promise<Uint8Array> => {
    const signed = signMeshRequest({ method: 'POST', path, body, target: o.peer.hub }, o.self, o);
    const res = await post(new URL(path, url), {
      body,
      headers: { 'content-type': 'application/cbor', ...signed.headers },
      timeoutMs: o.timeoutMs ?? 30_000,
    });
    const answer = res.body;
    f.bytesOut += body.length;
    f.bytesIn += answer.length;
    if (res.status !== 200) throw refusedBy(o.peer.hub, res.status, answer);
    const sig = res.headers[MESH_HEADERS.sig];
    checkMeshResponse(o.peer, signed.nonce, res.status, answer, typeof sig === 'string' ? sig : null, o.crypto);
    return answer;
  };
  const { mesh } = o;
  // Only what this hub replicates with the peer (its scope, host/mesh/replication-scope.ts) is compared and pulled.
  const ours = mesh.headsFor(o.peer.hub);
  const fp = mesh.heads.fingerprint(ours);
  const theirFp = decodeFingerprint(await call(MESH_PATHS.fingerprint, encodeFingerprint(fp)));
  if (bytesEqual(theirFp, fp)) {
    f.idle = true;
    f.ms = o.clock() - started;
    return f;
  }
  const told = decodeHeads(await call(MESH_PATHS.heads, encodeHeads(ours.map(({ node, seq, hash }) => ({ node, seq, hash })))));
  const theirs = told.filter((h) => mesh.replicates(o.peer.hub, h.node));
  // What they did not send back they hold as we do.
  const differ = new Set(theirs.map((h) => h.node));
  mesh.peerHeads.record(o.peer.hub, [...theirs, ...ours.filter((h) => !differ.has(h.node))], o.clock());
  const peerChains = new Set([...mesh.peers.list().map((p) => p.hub), ...ours.filter((h) => h.kind !== 'node').map((h) => h.node)]);
  const order = [...theirs].sort((a, b) => Number(peerChains.has(b.node)) - Number(peerChains.has(a.node)) || a.node.localeCompare(b.node));
  const limit = o.pageLimit ?? DEFAULT_PAGE_LIMIT;
  // Started for the first page checked while another is stored, stopped with the round (no thread outlives it).
  let thread: SignatureThread | undefined;
  const offThread = SignatureThread.available() && o.crypto === nodeCrypto; // the thread verifies as node:crypto does
  const signatureThread = () => (offThread ? (thread ??= new SignatureThread()) : undefined);
  const ask = (node: string, from: number) => call(MESH_PATHS.page, encodePageRequest({ node, from, limit }));
  /** The page asked for ahead (of this chain or the next one's first): the peer reads and sends it while one is stored. */
  let next: { node: string; from: number; answer: Promise<Uint8Array> } | undefined;
  const room = () => o.maxPages === undefined || f.pages < o.maxPages;
  try {
    for (let i = 0; i < order.length; i++) {
      f.chains++;
      try {
        if (!(await pullChain(order[i], order[i + 1]))) {
          f.interrupted = true;
          break;
        }
      } catch (e) {
        if (!(e instanceof MeshError) || e.code === 'unreachable' || e.code === 'bad-signature') throw e;
        f.errors.push({ node: order[i].node, code: e.code as MeshErrorCode, message: e.message });
      }
    }
  } finally {
    await thread?.stop();
  }
  f.ms = o.clock() - started;
  return f;

  /** Where pulling `h` starts, or undefined when there is nothing to pull. */
  function startOf(h: ChainHead): number | undefined {
    const own = mesh.heads.list().find((x) => x.node === h.node);
    if (!own) return 1;
    // Level, or ahead with their head on our chain: nothing to pull (they pull from us in their round).
    if (own.seq >= h.seq && (own.seq === h.seq ? bytesEqual(own.hash, h.hash) : mesh.holds(h.node, h.seq, h.hash))) return undefined;
    // Behind: from our head's successor. Level or ahead but different: from their head, which overlaps what we hold (a fork shows).
    return own.seq < h.seq ? own.seq + 1 : h.seq;
  }

  /** Asks for a page ahead, and lets the request go out before the page in hand is stored (it is written on a later tick). */
  async function askAhead(node: string, from: number): Promise<void> {
    next = { node, from, answer: ask(node, from) };
    next.answer.catch(() => {}); // awaited on the next turn, or dropped when the page in hand is refused
    await new Promise<void>((sent) => setImmediate(sent));
  }

  /**
   * Pulls one chain up to the peer's head, asking for the first page of `after` ahead of its last; false when maxPages
   * stopped it. Each page is checked, its signatures on the thread, while the one before is stored; it is stored itself
   * when the next has arrived and its checks begun, or at once when it is the chain's last.
   */
  async function pullChain(h: ChainHead, after: ChainHead | undefined): Promise<boolean> {
    let from = startOf(h);
    if (from === undefined) return true;
    /** The page received before, being checked: stored once the next one's checks have begun. */
    let held: { from: number; page: ReturnType<MeshStore['pageInChecking']> } | undefined;
    /** Stores the held page: the seq to pull from next, or undefined when the chain is done (caught up, or the page moved nothing). */
    const storeHeld = async (): Promise<number | undefined> => {
      if (!held) return from;
      const { from: at, page } = held;
      held = undefined;
      // Unsynced: a page a power cut takes back is pulled again from the stored head (MeshStore.pageIn says why that is safe).
      const r = await page.store({ unsynced: true });
      f.entries += r.entries;
      f.stored += r.stored;
      const own = mesh.heads.list().find((x) => x.node === h.node);
      return !own || own.seq >= h.seq || r.head < at ? undefined : own.seq + 1;
    };
    for (;;) {
      if (!room()) return held !== undefined && (await storeHeld()) === undefined;
      const page = await (next?.node === h.node && next.from === from ? next.answer : ask(h.node, from));
      next = undefined;
      f.pages++;
      if (page.length === 0) {
        await storeHeld();
        return true;
      }
      const last = pageLast(page);
      const more = last !== undefined && last < h.seq;
      if (room()) {
        if (more) await askAhead(h.node, last + 1);
        else if (after) {
          // This chain's last page: the next chain's first is asked for now (a page stored here does not move another chain's head).
          const first = startOf(after);
          if (first !== undefined) await askAhead(after.node, first);
        }
      }
      // Checked on the thread only when a page is stored meanwhile (the one before) or follows (this one is held).
      const checking = mesh.pageInChecking(o.peer.hub, h.node, page, held || more ? signatureThread() : undefined);
      if (held) {
        const resume = await storeHeld();
        if (resume === undefined) return true;
        // The page in hand does not start where the stored head ends: dropped, and asked for from there.
        if (resume !== from) {
          from = resume;
          continue;
        }
      }
      held = { from, page: checking };
      if (more) from = last + 1;
      else {
        const resume = await storeHeld();
        if (resume === undefined) return true;
        from = resume;
      }
    }
  }
}

/** A refusal the peer answered with (not signed: only its code and message are read, nothing is taken from it). */
function refusedBy(peer: string, status: number, body: Uint8Array): MeshError {
  let code = 'unreachable';
  let message = `status ${status}`;
  try {
    const e = JSON.parse(new TextDecoder().decode(body)).error;
    if (typeof e?.code === 'string') code = e.code;
    if (typeof e?.message === 'string') message = e.message;
  } catch {
    // not a JSON refusal
  }
  const known: readonly string[] = ['unpaired', 'bad-signature', 'stale', 'replay', 'malformed', 'unknown-node', 'out-of-scope'];
  return new MeshError(known.includes(code) ? (code as MeshErrorCode) : 'unreachable', `${peer} refused: ${message} (${status})`);
}
