import { createHash, createPrivateKey, createPublicKey, sign as edSign, verify as edVerify, type KeyObject } from 'node:crypto';
import type { DigestClass, NativeEd25519 } from '../../firmware/crypto/moddable-crypto.js';

/**
 * Stand-ins for the two native modules a Moddable build gives
 * firmware/crypto/moddable-crypto.ts, backed by node:crypto: the SDK's
 * `crypt` Digest and the project's `fazt/ed25519` (firmware/crypto/native/).
 * They behave as the device's do where the provider could tell: Digest
 * refuses write() after close() until reset(), and takes what the SDK's
 * typings allow (an ArrayBuffer or a string; modCrypt.c is laxer); the
 * Ed25519 functions throw TypeError/RangeError naming the argument, as
 * fazt-ed25519-xs.c does, and return ArrayBuffers.
 */
export interface DigestSim extends DigestClass {
  /** How many Digest objects were made (a device allocates a native context for each). */
  readonly constructed: number;
}

export function digestSim(): DigestSim {
  let constructed = 0;
  class Digest {
    private parts: Buffer[] = [];
    private closed = false;
    constructor(type: 'SHA256') {
      if (type !== 'SHA256') throw new Error(`crypt: unsupported digest ${String(type)}`);
      constructed++;
    }
    static get constructed(): number {
      return constructed;
    }
    write(data: ArrayBuffer | string): void {
      if (this.closed) throw new Error("crypt: can't call digest write after close");
      if (typeof data === 'string') this.parts.push(Buffer.from(data, 'utf8'));
      else if (data instanceof ArrayBuffer) this.parts.push(Buffer.from(data));
      else throw new TypeError('crypt: Digest.write takes an ArrayBuffer or a string');
    }
    close(): ArrayBuffer {
      this.closed = true;
      const out = createHash('sha256').update(Buffer.concat(this.parts)).digest();
      return out.buffer.slice(out.byteOffset, out.byteOffset + out.byteLength) as ArrayBuffer;
    }
    reset(): void {
      this.parts = [];
      this.closed = false;
    }
  }
  return Digest;
}

type Bytes = Uint8Array | ArrayBuffer;

function bytes(name: string, v: unknown, length?: number): Buffer {
  if (!(v instanceof Uint8Array) && !(v instanceof ArrayBuffer)) throw new TypeError(`${name} must be a Uint8Array or an ArrayBuffer`);
  const b = v instanceof ArrayBuffer ? Buffer.from(v) : Buffer.from(v.buffer, v.byteOffset, v.byteLength);
  if (length !== undefined && b.length !== length) throw new RangeError(`${name} must be ${length} bytes, got ${b.length}`);
  return b;
}

const PKCS8_ED25519 = Buffer.from('302e020100300506032b657004220420', 'hex');
const SPKI_ED25519 = Buffer.from('302a300506032b6570032100', 'hex');
const privateKey = (seed: Buffer): KeyObject => createPrivateKey({ key: Buffer.concat([PKCS8_ED25519, seed]), format: 'der', type: 'pkcs8' });
const arrayBuffer = (b: Buffer): ArrayBuffer => b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength) as ArrayBuffer;

/** The native Ed25519 module's stand-in; `calls` counts the calls that reached it. */
export function ed25519Sim(): NativeEd25519 & { calls: number } {
  const sim = {
    calls: 0,
    publicKey(seed: Bytes): ArrayBuffer {
      sim.calls++;
      const spki = createPublicKey(privateKey(bytes('seed', seed, 32))).export({ format: 'der', type: 'spki' });
      return arrayBuffer(spki.subarray(spki.length - 32));
    },
    sign(message: Bytes, seed: Bytes): ArrayBuffer {
      sim.calls++;
      const m = bytes('message', message);
      return arrayBuffer(edSign(null, m, privateKey(bytes('seed', seed, 32))));
    },
    verify(signature: Bytes, message: Bytes, publicKey: Bytes): boolean {
      sim.calls++;
      const sig = bytes('signature', signature, 64);
      const m = bytes('message', message);
      const key = createPublicKey({ key: Buffer.concat([SPKI_ED25519, bytes('publicKey', publicKey, 32)]), format: 'der', type: 'spki' });
      return edVerify(null, m, key, sig);
    },
  };
  return sim;
}
