import { decodeCbor } from '../codec/cbor-decode.js';
import { encodeCbor } from '../codec/cbor-encode.js';
import { fromBase64url, toBase64url } from '../codec/text-encodings.js';
import { isValueMap, type Value, type ValueMap } from '../codec/value.js';
import type { CryptoProvider } from '../crypto/crypto-provider.js';
import { FaztError } from '../../hal/contracts/errors.js';
import { bytesEqual } from '../event/verify-chain.js';
import { nodeIdFromPublicKey, type NodeIdentity } from '../identity/node-id.js';

/**
 * The signed beacon record: what a hub or node says about itself on the LAN.
 * It travels in two SSDP headers of every NOTIFY and M-SEARCH answer
 * (FAZT-BEACON: base64url CBOR of the record; FAZT-SIG: base64url Ed25519
 * signature over CBOR ["fazt-beacon-v1", record]). Discovery is not trust:
 * a receiver accepts a peer only when the signature verifies, the id derives
 * from the key, and the packet came from one of the addresses the record names
 * (so a copied record cannot point a node at someone else).
 */
export interface BeaconRecord {
  /** Record format version (1). */
  v: 1;
  /** Node id ("fz…"), derived from key. */
  id: string;
  key: Uint8Array;
  kind: 'hub' | 'node';
  name: string;
  board: string;
  version: string;
  /** What the peer offers, e.g. ["uplink", "enroll", "time"]. */
  services: string[];
  /** IPv4 addresses the peer answers on; the packet's source must be one of them. */
  addresses: string[];
  /** HTTP API port (0 for a node without one). */
  port: number;
  /**
   * Milliseconds since the epoch on the signer's clock when it signed; rises
   * with every signature, so a receiver takes only newer records (a replay
   * neither refreshes nor revives a peer).
   */
  issued: number;
  /** Signed, so a captured ssdp:alive cannot be turned into a byebye. */
  state: BeaconState;
}

export type BeaconState = 'alive' | 'bye';

/** What a peer says about itself; the signer adds id, key, issued and state. */
export type BeaconFields = Omit<BeaconRecord, 'v' | 'id' | 'key' | 'issued' | 'state'>;

export const BEACON_SEARCH_TARGET = 'urn:fazt-dev:service:beacon:1';
export const BEACON_HEADER = 'FAZT-BEACON';
export const BEACON_SIG_HEADER = 'FAZT-SIG';
const DOMAIN = 'fazt-beacon-v1';
/** Keeps every SSDP packet well under one Ethernet frame. */
const MAX_RECORD_BYTES = 600;

export type BeaconErrorCode =
  | 'beacon-missing'
  | 'beacon-malformed'
  | 'beacon-too-large'
  | 'beacon-key-mismatch'
  | 'beacon-bad-signature'
  | 'beacon-address-mismatch'
  | 'beacon-unexpected-key'
  | 'beacon-state-mismatch';

export class BeaconError extends FaztError {
  constructor(code: BeaconErrorCode, message: string) {
    super(code, message);
    Object.defineProperty(this, 'name', { value: 'BeaconError', writable: true, configurable: true, enumerable: false });
  }
}

function recordValue(r: BeaconRecord): Value {
  return {
    v: r.v,
    id: r.id,
    key: r.key,
    kind: r.kind,
    name: r.name,
    board: r.board,
    version: r.version,
    services: r.services,
    addresses: r.addresses,
    port: r.port,
    issued: r.issued,
    state: r.state,
  };
}

const MAX_LIST = 16;
const MAX_ITEM = 64;

/** Signs a record with the peer's own key (an alive one unless `state` says bye); returns the two header values. */
export function signBeacon(
  fields: Omit<BeaconRecord, 'v' | 'id' | 'key' | 'state'>,
  identity: NodeIdentity,
  crypto: CryptoProvider,
  state: BeaconState = 'alive',
): { record: BeaconRecord; headers: Record<string, string> } {
  for (const k of ['services', 'addresses'] as const) {
    const list = fields[k];
    // The receivers' limits (verifyBeacon): a record they would refuse is a caller's mistake here.
    if (list.length > MAX_LIST || list.some((x) => x.length > MAX_ITEM))
      throw new RangeError(`beacon ${k} must be at most ${MAX_LIST} entries of at most ${MAX_ITEM} characters`);
  }
  const record: BeaconRecord = { v: 1, id: identity.id, key: identity.publicKey, ...fields, state };
  const body = encodeCbor(recordValue(record));
  if (body.length > MAX_RECORD_BYTES) throw new RangeError(`beacon record is ${body.length} bytes, over ${MAX_RECORD_BYTES}: shorten the name or services`);
  const sig = crypto.sign(encodeCbor([DOMAIN, body]), identity.secretKey);
  return { record, headers: { [BEACON_HEADER]: toBase64url(body), [BEACON_SIG_HEADER]: toBase64url(sig) } };
}

function str(m: ValueMap, k: string): string {
  const v = m[k];
  if (typeof v !== 'string') throw new BeaconError('beacon-malformed', `beacon record field '${k}' must be a string`);
  return v;
}

function strings(m: ValueMap, k: string): string[] {
  const v = m[k];
  if (!Array.isArray(v) || v.length > MAX_LIST || !v.every((s) => typeof s === 'string' && s.length <= MAX_ITEM))
    throw new BeaconError('beacon-malformed', `beacon record field '${k}' must be a list of at most ${MAX_LIST} strings of at most ${MAX_ITEM} characters`);
  return v as string[];
}

function int(m: ValueMap, k: string, max: number): number {
  const v = m[k];
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0 || v > max)
    throw new BeaconError('beacon-malformed', `beacon record field '${k}' must be an integer 0..${max}`);
  return v;
}

/**
 * Verifies the beacon headers of one SSDP packet (header names in any case)
 * received from `sourceAddress`. `expectKey`, when given, is the only key
 * trusted (a node that holds its hub's key from an invite); `state` is what
 * the packet says (alive for NOTIFY alive and search answers, bye for
 * byebye), which the signed record must agree with. Throws BeaconError
 * naming what was wrong.
 */
export function verifyBeacon(
  headers: Record<string, string | undefined>,
  sourceAddress: string,
  crypto: CryptoProvider,
  expectKey?: Uint8Array,
  state?: BeaconState,
): BeaconRecord {
  let text: string | undefined;
  let sigText: string | undefined;
  for (const k of Object.keys(headers)) {
    const u = k.toUpperCase();
    if (u === BEACON_HEADER) text = headers[k];
    else if (u === BEACON_SIG_HEADER) sigText = headers[k];
  }
  if (text === undefined || sigText === undefined)
    throw new BeaconError('beacon-missing', `no ${text === undefined ? BEACON_HEADER : BEACON_SIG_HEADER} header: not a Fazt beacon`);
  if (text.length > Math.ceil((MAX_RECORD_BYTES * 4) / 3) + 4)
    throw new BeaconError('beacon-too-large', `${BEACON_HEADER} is ${text.length} characters, over the ${MAX_RECORD_BYTES}-byte record limit`);
  let body: Uint8Array;
  let sig: Uint8Array;
  let value: Value;
  try {
    body = fromBase64url(text.trim());
    sig = fromBase64url(sigText.trim());
    value = decodeCbor(body);
  } catch (e) {
    throw new BeaconError('beacon-malformed', `beacon headers do not decode: ${(e as Error).message}`);
  }
  if (!isValueMap(value)) throw new BeaconError('beacon-malformed', 'beacon record is not a map');
  const m = value;
  if (m.v !== 1) throw new BeaconError('beacon-malformed', `beacon record version ${String(m.v)} is not 1`);
  const key = m.key;
  if (!(key instanceof Uint8Array) || key.length !== 32) throw new BeaconError('beacon-malformed', "beacon record field 'key' must be 32 bytes");
  const kind = str(m, 'kind');
  const signedState = str(m, 'state');
  if (signedState !== 'alive' && signedState !== 'bye') throw new BeaconError('beacon-malformed', `beacon record state '${signedState}' is not alive or bye`);
  if (kind !== 'hub' && kind !== 'node') throw new BeaconError('beacon-malformed', `beacon record kind '${kind}' is not hub or node`);
  const record: BeaconRecord = {
    v: 1,
    id: str(m, 'id'),
    key,
    kind,
    name: str(m, 'name'),
    board: str(m, 'board'),
    version: str(m, 'version'),
    services: strings(m, 'services'),
    addresses: strings(m, 'addresses'),
    port: int(m, 'port', 65535),
    issued: int(m, 'issued', Number.MAX_SAFE_INTEGER),
    state: signedState,
  };
  if (nodeIdFromPublicKey(key, crypto) !== record.id) throw new BeaconError('beacon-key-mismatch', `beacon id ${record.id} does not derive from its key`);
  if (sig.length !== 64 || !crypto.verify(sig, encodeCbor([DOMAIN, body]), key))
    throw new BeaconError('beacon-bad-signature', `beacon from ${sourceAddress} claiming ${record.id}: signature does not verify`);
  if (record.addresses.indexOf(sourceAddress) < 0)
    throw new BeaconError(
      'beacon-address-mismatch',
      `beacon for ${record.id} came from ${sourceAddress}, not from its signed addresses ${record.addresses.join(', ')}`,
    );
  if (state !== undefined && state !== record.state)
    throw new BeaconError(
      'beacon-state-mismatch',
      `a ${state} packet from ${sourceAddress} carries ${record.id}'s signed ${record.state} record (altered in transit?)`,
    );
  if (expectKey && !bytesEqual(expectKey, key))
    throw new BeaconError('beacon-unexpected-key', `beacon from ${sourceAddress} is signed by ${record.id}, not by the expected key`);
  return record;
}

/** The HTTP base URL of a verified peer, on the address its packet came from. */
export function beaconUrl(record: BeaconRecord, address: string): string {
  return `http://${address}:${record.port}`;
}
