import { readFileSync } from 'node:fs';

/** The shared vectors (test/vectors/*.json), read the same way by the Node and XS suites. */
export interface CborVector {
  name: string;
  /** JSON text of the value; null for values with no JSON form (then `value` names it). */
  json: string | null;
  cbor: string;
  value?: 'NaN' | 'Infinity' | '-Infinity';
}
export interface InvalidCborVector {
  name: string;
  cbor: string;
  code: string;
}
export interface EventVector {
  name: string;
  json: string;
  cbor: string;
  hash: string;
}
export interface BatchVector {
  name: string;
  json: string;
  cbor: string;
  known: { seq: number; hash: string } | null;
}
export interface IdentityVector {
  name: string;
  secretKey: string;
  publicKey: string;
  message: string;
  signature: string;
  nodeId: string;
}

/** RFC 8032 §7.1's Ed25519 test vectors (TEST 1, 2, 3, 1024, SHA(abc)): seed, public key, message, signature, in hex. */
export interface Ed25519Vector {
  name: string;
  secretKey: string;
  publicKey: string;
  message: string;
  signature: string;
}

/** The batches of batches.json in the compact form, against one dictionary (scripts/gen-event-vectors.ts). */
export interface CompactVectors {
  dictionary: { items: string[][]; hash: string };
  batches: { name: string; full: string; inline: string; byHash: string }[];
}

/** BTHome v2's published examples (bthome.io/format and /encryption, bthome-ble's encryption tests). */
export interface BthomeVectors {
  /** One per row of the spec's tables: the example as hex (id byte, then value bytes) and its result. */
  objects: { hex: string; kind: string; value: number | boolean | string; specUnit?: string; steps?: number }[];
  packets: { name: string; hex: string; triggerBased: boolean; objects: { id: number; name: string; value: number | boolean | string; unit?: string }[] }[];
  encrypted: {
    name: string;
    hex: string;
    mac: string;
    key: string;
    counter: number;
    plain: string;
    objects: { id: number; name: string; value: number | boolean | string; unit?: string }[];
  }[];
}

function load<T>(name: string): T {
  return JSON.parse(readFileSync(new URL(`../vectors/${name}.json`, import.meta.url), 'utf8')) as T;
}

export const cborVectors = load<CborVector[]>('cbor');
export const invalidCborVectors = load<InvalidCborVector[]>('cbor-invalid');
export const eventVectors = load<EventVector[]>('events');
export const batchVectors = load<BatchVector[]>('batches');
export const identityVectors = load<IdentityVector[]>('identity');
export const compactVectors = load<CompactVectors>('compact');
export const rfc8032Vectors = load<Ed25519Vector[]>('rfc8032-ed25519');
export const bthomeVectors = load<BthomeVectors>('bthome');
