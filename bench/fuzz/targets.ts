import { Packr, Unpackr } from 'msgpackr';
import { BatchReader } from '../../firmware/batch/batch-reader.js';
import { verifyBatch } from '../../firmware/batch/verify-batch.js';
import { BeaconError, verifyBeacon } from '../../firmware/beacon/beacon-record.js';
import { parseSsdp, SsdpError } from '../../firmware/beacon/ssdp-message.js';
import { parseBthome } from '../../firmware/ble/bthome.js';
import { BthomeError } from '../../firmware/ble/bthome-error.js';
import { decodeCbor } from '../../firmware/codec/cbor-decode.js';
import { encodeCbor } from '../../firmware/codec/cbor-encode.js';
import { toBase64url } from '../../firmware/codec/text-encodings.js';
import type { Value } from '../../firmware/codec/value.js';
import { CodecError, SchemaError, VerifyError } from '../../firmware/errors.js';
import { identityFromSecretKey } from '../../firmware/identity/node-id.js';
import { decryptBthome } from '../../host/ble/bthome-decrypt.js';
import { ChirpError } from '../../host/chirp/chirp-error.js';
import { Reassembler } from '../../host/chirp/frames.js';
import { nodeCrypto } from '../../host/crypto/node-crypto.js';
import { decodeUplink, parseJsonBody } from '../../host/hub/decode-uplink.js';
import { HttpError } from '../../host/hub/http-error.js';
import { compileRule, RuleError } from '../../host/rules/index.js';
import { uplinkFromValue } from '../../host/store/parse-batch.js';
import * as samples from './samples.js';
import type { Tree } from './tree-mutations.js';

/**
 * The fuzz targets: each a decoder the outside world feeds, its real
 * samples, how to decode a sample for structural mutations, and the coded
 * errors it may throw. Anything else it throws (a TypeError, a RangeError)
 * is a bug.
 */
export interface FuzzTarget {
  name: string;
  what: string;
  samples: Uint8Array[];
  /** The sample as a tree and back: mutations keep the codec's syntax and reach the checks after it. */
  tree?: { decode(b: Uint8Array): Tree; encode(t: Tree): Uint8Array };
  run(input: Uint8Array): void;
  /** The error classes a refusal may be (each carries a stable `code`). */
  expected: readonly (abstract new (
    ...args: never[]
  ) => Error)[];
}

const cborTree = { decode: (b: Uint8Array): Tree => decodeCbor(b) as Tree, encode: (t: Tree): Uint8Array => encodeCbor(t as Value) };
const jsonTree = {
  decode: (b: Uint8Array): Tree => JSON.parse(new TextDecoder().decode(b)) as Tree,
  encode: (t: Tree): Uint8Array => new TextEncoder().encode(JSON.stringify(t, (_k, v) => (v instanceof Uint8Array ? { $bytes: toBase64url(v) } : v))),
};
const packr = new Packr({ useRecords: false, variableMapSize: true });
const unpackr = new Unpackr({ useRecords: false });
const msgpackTree = { decode: (b: Uint8Array): Tree => unpackr.unpack(b) as Tree, encode: (t: Tree): Uint8Array => new Uint8Array(packr.pack(t)) };

/** What a hub holds for compact batches: the vectors' dictionary, by hash. */
const compactContext = {
  crypto: nodeCrypto,
  dictionary: (_node: string, hash: Uint8Array) => (Buffer.from(hash).equals(samples.vectorDictionary.hash) ? samples.vectorDictionary : undefined),
};

const UPLINK_ERRORS = [CodecError, SchemaError, VerifyError, HttpError];

function uplink(mediaType: string, name: string, s: Uint8Array[], tree: FuzzTarget['tree']): FuzzTarget {
  return {
    name,
    what: `decodeUplink('${mediaType}') then verifyBatch (host/hub/decode-uplink.ts)`,
    samples: s,
    tree,
    run(input) {
      verifyBatch(decodeUplink(mediaType, input, compactContext).batch, { crypto: nodeCrypto });
    },
    expected: UPLINK_ERRORS,
  };
}

function msgpackSamples(): Uint8Array[] {
  return [...samples.fullBatchCbor(), ...samples.compactBatchCbor()].map((b) => new Uint8Array(packr.pack(decodeCbor(b))));
}

const beacon = samples.beaconSamples();
const bthome = samples.bthomeSamples();
const lab = identityFromSecretKey(new Uint8Array(32).fill(11), nodeCrypto).id;
const desk = identityFromSecretKey(new Uint8Array(32).fill(12), nodeCrypto).id;
const ruleNodes = [
  { id: lab, name: 'lab' },
  { id: desk, name: 'desk', outputs: [{ name: 'relay', pin: 26 }] },
];

/** A frame stream (one length byte per frame) split back into frames; a length past the end takes what is left. */
function frames(input: Uint8Array): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (let at = 0; at < input.length; ) {
    const n = input[at];
    out.push(input.subarray(at + 1, at + 1 + n));
    at += 1 + n;
  }
  return out;
}

export const targets: readonly FuzzTarget[] = [
  {
    name: 'cbor',
    what: 'the strict CBOR decoder, decodeCbor (firmware/codec/cbor-decode.ts)',
    samples: samples.cborSamples(),
    tree: cborTree,
    run: (input) => void decodeCbor(input),
    expected: [CodecError],
  },
  uplink('application/cbor', 'uplink-cbor', [...samples.fullBatchCbor(), ...samples.compactBatchCbor()], cborTree),
  uplink('application/json', 'uplink-json', samples.jsonBatchSamples(), jsonTree),
  uplink('application/msgpack', 'uplink-msgpack', msgpackSamples(), msgpackTree),
  {
    name: 'compact',
    what: 'compact batches through BatchReader (firmware/batch/batch-reader.ts, compact-batch.ts) then verifyBatch',
    samples: samples.compactBatchCbor(),
    tree: cborTree,
    run(input) {
      const reader = new BatchReader(nodeCrypto);
      const batch = reader.read(decodeCbor(input));
      verifyBatch(batch, { crypto: nodeCrypto });
    },
    expected: [CodecError, VerifyError],
  },
  {
    name: 'ssdp',
    what: 'parseSsdp (firmware/beacon/ssdp-message.ts), then verifyBeacon on the headers of a packet that carries one',
    samples: samples.ssdpSamples(),
    run(input) {
      const m = parseSsdp(input);
      if (m.headers['FAZT-BEACON'] !== undefined) verifyBeacon(m.headers, samples.BEACON_SOURCE, nodeCrypto);
    },
    expected: [SsdpError, BeaconError],
  },
  {
    name: 'beacon',
    what: 'verifyBeacon on a mutated signed record (firmware/beacon/beacon-record.ts)',
    samples: beacon.records,
    tree: cborTree,
    run(input) {
      const headers = { 'FAZT-BEACON': toBase64url(input), 'FAZT-SIG': toBase64url(beacon.sig) };
      verifyBeacon(headers, samples.BEACON_SOURCE, nodeCrypto);
    },
    expected: [BeaconError],
  },
  {
    name: 'chirp',
    what: 'Chirp frames through the Reassembler (host/chirp/frames.ts), the message as a batch (host/store/parse-batch.ts)',
    samples: samples.chirpSamples(),
    run(input) {
      const r = new Reassembler();
      for (const f of frames(input)) r.accept(f);
      if (!r.complete) return;
      const batch = uplinkFromValue(decodeCbor(r.message()), { crypto: nodeCrypto, dictionary: () => undefined }).batch;
      verifyBatch(batch, { crypto: nodeCrypto });
    },
    expected: [ChirpError, CodecError, SchemaError, VerifyError],
  },
  {
    name: 'bthome',
    what: 'parseBthome (firmware/ble/bthome.ts) and, for an encrypted packet, decryptBthome (host/ble/bthome-decrypt.ts)',
    samples: bthome.packets,
    run(input) {
      if (parseBthome(input).encrypted) decryptBthome(input, bthome.mac, bthome.key);
    },
    expected: [BthomeError],
  },
  {
    name: 'rules',
    what: 'rule documents as the API reads them: parseJsonBody then compileRule (host/rules/compile-rule.ts)',
    samples: samples.ruleSamples(),
    tree: jsonTree,
    run: (input) => void compileRule(parseJsonBody(input), { nodes: ruleNodes }),
    expected: [RuleError, CodecError],
  },
];

export function targetNamed(name: string): FuzzTarget {
  const t = targets.find((x) => x.name === name);
  if (!t) throw new RangeError(`no fuzz target '${name}': one of ${targets.map((x) => x.name).join(', ')}`);
  return t;
}

/** What one input did: 'accepted', the refusal as 'Class code', or a bug (anything else thrown). */
export function outcomeOf(target: FuzzTarget, input: Uint8Array): { outcome: string; bug?: unknown } {
  try {
    target.run(input);
    return { outcome: 'accepted' };
  } catch (e) {
    const code = (e as { code?: unknown }).code;
    if (target.expected.some((c) => e instanceof c) && typeof code === 'string') return { outcome: `${(e as Error).name} ${code}` };
    return { outcome: 'bug', bug: e ?? new Error(`threw ${String(e)}`) };
  }
}

/** Undefined when `input` is handled (accepted, or refused with a coded error); else the error, a bug. */
export function unexpectedError(target: FuzzTarget, input: Uint8Array): unknown {
  return outcomeOf(target, input).bug;
}
