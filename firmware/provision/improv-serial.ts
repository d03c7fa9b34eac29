import { FaztError, nameError } from '../../hal/contracts/errors.js';
import { utf8Decode, utf8Encode } from '../codec/utf8.js';

/**
 * Improv Wi-Fi over serial, version 1 (https://www.improv-wifi.com/serial/),
 * the provisioning protocol ESPHome and ESP Web Tools speak. A packet:
 *
 *   "IMPROV" | version (1) | type | length | data (length bytes) | checksum
 *
 * where the checksum is the low byte of the sum of every byte before it.
 * Types: 0x01 current state and 0x02 error state (one byte each) and 0x04
 * RPC result go from the device; 0x03 RPC command comes from the client, its
 * data being command | data length | data. Strings are UTF-8, each prefixed
 * by its length in one byte.
 */
const IMPROV_VERSION = 1;
const HEADER = [0x49, 0x4d, 0x50, 0x52, 0x4f, 0x56]; // "IMPROV"
/** Header, version, type, length: the bytes before the data. */
const PREFIX = HEADER.length + 3;
/** The longest packet: a one-byte length allows 255 data bytes. */
const IMPROV_MAX_PACKET = PREFIX + 255 + 1;

export const ImprovType = { currentState: 0x01, errorState: 0x02, rpcCommand: 0x03, rpcResult: 0x04 } as const;
export const ImprovState = { ready: 0x02, provisioning: 0x03, provisioned: 0x04 } as const;
export const ImprovErrorCode = { none: 0x00, invalidRpc: 0x01, unknownCommand: 0x02, unableToConnect: 0x03, badHostname: 0x05, unknown: 0xff } as const;
export const ImprovCommand = { wifiSettings: 0x01, currentState: 0x02, deviceInfo: 0x03, scan: 0x04, hostname: 0x05, deviceName: 0x06 } as const;

/** A packet refused: its bytes were not a valid Improv packet or RPC. */
export class ImprovError extends FaztError {
  constructor(code: 'checksum' | 'version' | 'malformed' | 'oversized', message: string) {
    super(code, message);
    nameError(this, 'ImprovError');
  }
}

/** One packet's bytes. */
export function encodeImprov(type: number, data: Uint8Array): Uint8Array {
  if (data.length > 255) throw new ImprovError('oversized', `an Improv packet carries at most 255 data bytes, got ${data.length}`);
  const out = new Uint8Array(PREFIX + data.length + 1);
  out.set(HEADER, 0);
  out[6] = IMPROV_VERSION;
  out[7] = type;
  out[8] = data.length;
  out.set(data, PREFIX);
  out[out.length - 1] = checksum(out, out.length - 1);
  return out;
}

export const encodeState = (state: number): Uint8Array => encodeImprov(ImprovType.currentState, Uint8Array.of(state));
export const encodeErrorState = (code: number): Uint8Array => encodeImprov(ImprovType.errorState, Uint8Array.of(code));

/** An RPC result: the command answered and a list of strings. */
export function encodeResult(command: number, strings: string[]): Uint8Array {
  const parts = strings.map((s) => utf8Encode(s));
  const body = encodeStrings(parts);
  if (body.length > 253) throw new ImprovError('oversized', `an RPC result holds at most 253 bytes of strings, got ${body.length}`);
  const data = new Uint8Array(2 + body.length);
  data[0] = command;
  data[1] = body.length;
  data.set(body, 2);
  return encodeImprov(ImprovType.rpcResult, data);
}

/** An RPC command's bytes (what a client sends), for tests and tools. */
export function encodeCommand(command: number, payload: Uint8Array): Uint8Array {
  const data = new Uint8Array(2 + payload.length);
  data[0] = command;
  data[1] = payload.length;
  data.set(payload, 2);
  return encodeImprov(ImprovType.rpcCommand, data);
}

/** The Send Wi-Fi settings payload: ssid and password, each length-prefixed. */
export function encodeWifiSettings(ssid: string, password: string): Uint8Array {
  return encodeStrings([utf8Encode(ssid), utf8Encode(password)]);
}

/** An RPC command packet's data: the command and its payload, lengths checked. */
export function decodeRpc(data: Uint8Array): { command: number; payload: Uint8Array } {
  if (data.length < 2) throw new ImprovError('malformed', `an RPC command needs a command and a length byte, got ${data.length} bytes`);
  if (data[1] !== data.length - 2) throw new ImprovError('malformed', `RPC command ${data[0]} says ${data[1]} data bytes, carries ${data.length - 2}`);
  return { command: data[0], payload: data.subarray(2) };
}

/** The ssid and password of a Send Wi-Fi settings command. */
export function decodeWifiSettings(payload: Uint8Array): { ssid: string; password: string } {
  const strings = decodeStrings(payload, 'Wi-Fi settings');
  if (strings.length !== 2) throw new ImprovError('malformed', `Wi-Fi settings carry an ssid and a password, got ${strings.length} strings`);
  const [ssid, password] = strings;
  if (ssid.length === 0 || ssid.length > 32) throw new ImprovError('malformed', `an ssid is 1..32 bytes, got ${ssid.length}`);
  if (password.length > 64) throw new ImprovError('malformed', `a Wi-Fi password is at most 64 bytes, got ${password.length}`);
  return { ssid: text(ssid, 'ssid'), password: text(password, 'password') };
}

/** Length-prefixed strings, as RPC results and Wi-Fi settings carry them. */
export function decodeStrings(bytes: Uint8Array, what: string): Uint8Array[] {
  const out: Uint8Array[] = [];
  let at = 0;
  while (at < bytes.length) {
    const n = bytes[at];
    if (at + 1 + n > bytes.length) throw new ImprovError('malformed', `${what}: a string of ${n} bytes runs past the end at byte ${at}`);
    out.push(bytes.subarray(at + 1, at + 1 + n));
    at += 1 + n;
  }
  return out;
}

function encodeStrings(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + 1 + p.length, 0));
  let at = 0;
  for (const p of parts) {
    if (p.length > 255) throw new ImprovError('oversized', `an Improv string is at most 255 bytes, got ${p.length}`);
    out[at++] = p.length;
    out.set(p, at);
    at += p.length;
  }
  return out;
}

function text(bytes: Uint8Array, field: string): string {
  try {
    return utf8Decode(bytes);
  } catch {
    // The bytes are not echoed: a password must not reach a log line.
    throw new ImprovError('malformed', `the ${field} is not valid UTF-8`);
  }
}

function checksum(bytes: Uint8Array, end: number): number {
  let sum = 0;
  for (let i = 0; i < end; i++) sum = (sum + bytes[i]) & 0xff;
  return sum;
}

/**
 * Finds Improv packets in a serial stream: bytes arrive in any chunks, mixed
 * with log lines (the console shares the UART, as ESPHome's does). Bytes
 * before a header are skipped; a packet with a bad version or checksum is
 * reported through onError and skipped past its header, so the next packet
 * is still found. Memory stays bounded: at most one packet's bytes are held.
 */
export class ImprovParser {
  private buf = new Uint8Array(IMPROV_MAX_PACKET * 2);
  private len = 0;

  constructor(
    private readonly onPacket: (type: number, data: Uint8Array) => void,
    private readonly onError: (e: ImprovError) => void,
  ) {}

  push(chunk: Uint8Array): void {
    for (let i = 0; i < chunk.length; ) {
      const n = Math.min(chunk.length - i, this.buf.length - this.len);
      this.buf.set(chunk.subarray(i, i + n), this.len);
      this.len += n;
      i += n;
      this.scan();
    }
  }

  private scan(): void {
    let at = 0;
    for (;;) {
      const start = this.findHeader(at);
      if (start < 0) {
        // Keep a possible header's beginning (up to 5 bytes) for the next chunk.
        at = Math.max(at, this.len - (HEADER.length - 1));
        break;
      }
      at = start;
      if (this.len - start < PREFIX) break;
      const version = this.buf[start + 6];
      if (version !== IMPROV_VERSION) {
        this.onError(new ImprovError('version', `Improv version ${version} refused: this device speaks version ${IMPROV_VERSION}`));
        at = start + HEADER.length;
        continue;
      }
      const total = PREFIX + this.buf[start + 8] + 1;
      if (this.len - start < total) break;
      const end = start + total - 1;
      const want = checksum(this.buf.subarray(start), total - 1);
      if (this.buf[end] !== want) {
        this.onError(new ImprovError('checksum', `Improv packet refused: checksum 0x${hex(this.buf[end])}, the bytes sum to 0x${hex(want)}`));
        at = start + HEADER.length;
        continue;
      }
      const type = this.buf[start + 7];
      const data = this.buf.slice(start + PREFIX, end);
      at = end + 1;
      this.onPacket(type, data);
    }
    this.buf.copyWithin(0, at, this.len);
    this.len -= at;
  }

  private findHeader(from: number): number {
    outer: for (let i = from; i + HEADER.length <= this.len; i++) {
      for (let k = 0; k < HEADER.length; k++) if (this.buf[i + k] !== HEADER[k]) continue outer;
      return i;
    }
    return -1;
  }
}

const hex = (b: number): string => (b < 16 ? '0' : '') + b.toString(16);
