import { utf8Decode, utf8Encode } from '../codec/utf8.js';
import { FaztError } from '../../hal/contracts/errors.js';

/**
 * SSDP messages over HTTPU (UPnP Device Architecture 1.1 §1): M-SEARCH
 * (§1.3.2), NOTIFY ssdp:alive / ssdp:byebye (§1.2.2, §1.2.3) and the 200 OK
 * answer to a search (§1.3.3). Builders write what node-ssdp 4.0.1 reads
 * (it upper-cases header names and needs MAN, MX and ST on a search);
 * the parser reads what node-ssdp writes, in any header case and spacing,
 * and refuses what is too big to be SSDP: more than 2 KB or 32 headers.
 */

export const SSDP_GROUP = '239.255.255.250';
export const SSDP_PORT = 1900;
export const SSDP_ALL = 'ssdp:all';
const SSDP_MAX_BYTES = 2048;
const SSDP_MAX_HEADERS = 32;

export type SsdpErrorCode = 'ssdp-too-large' | 'ssdp-too-many-headers' | 'ssdp-not-text' | 'ssdp-malformed' | 'ssdp-missing-header' | 'ssdp-unsupported';

/** A datagram that is not an SSDP message we can read. */
export class SsdpError extends FaztError {
  constructor(code: SsdpErrorCode, message: string) {
    super(code, message);
    Object.defineProperty(this, 'name', { value: 'SsdpError', writable: true, configurable: true, enumerable: false });
  }
}

/** Header names upper-cased; a repeated header's values joined with ", " (RFC 9110 §5.3). */
export type SsdpHeaders = Record<string, string>;

export type SsdpMessage =
  | { kind: 'search'; st: string; mx: number; man: string; headers: SsdpHeaders }
  | { kind: 'notify'; nt: string; nts: string; usn: string; headers: SsdpHeaders }
  | { kind: 'response'; status: number; st: string; usn: string; headers: SsdpHeaders };

/** Extra headers (the Fazt beacon's two, for instance): name → value, one line each. */
type ExtraHeaders = Record<string, string>;

export interface SearchMessage {
  st: string;
  /** Seconds a device may wait before answering (UDA 1.1 §1.3.2: 1 to 5). */
  mx: number;
  /** HOST header (default 239.255.255.250:1900). */
  host?: string;
  headers?: ExtraHeaders;
}

export interface NotifyMessage {
  nts: 'ssdp:alive' | 'ssdp:byebye';
  nt: string;
  usn: string;
  host?: string;
  /** alive only, as node-ssdp: LOCATION, CACHE-CONTROL max-age (seconds) and SERVER. */
  location?: string;
  maxAge?: number;
  server?: string;
  headers?: ExtraHeaders;
}

export interface ResponseMessage {
  st: string;
  usn: string;
  location?: string;
  maxAge?: number;
  server?: string;
  headers?: ExtraHeaders;
}

const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

function checkValue(name: string, value: unknown): string {
  if (typeof value !== 'string' && typeof value !== 'number') throw new TypeError(`SSDP header ${name} must be a string, got ${typeof value}`);
  const v = String(value);
  for (let i = 0; i < v.length; i++) {
    const c = v.charCodeAt(i);
    if (c < 0x20 || c === 0x7f) throw new TypeError(`SSDP header ${name} must not contain control characters (CR, LF…)`);
  }
  return v;
}

function encode(startLine: string, lines: [string, string | number | undefined][], extra: ExtraHeaders | undefined): Uint8Array {
  const out = [startLine];
  const seen: string[] = [];
  const add = (name: string, value: string | number): void => {
    if (!TOKEN.test(name)) throw new TypeError(`SSDP header name '${name}' is not an HTTP token`);
    const u = name.toUpperCase();
    if (seen.indexOf(u) >= 0) throw new TypeError(`SSDP header ${u} given twice`);
    seen.push(u);
    out.push(`${name}: ${checkValue(name, value)}`);
  };
  for (const [n, v] of lines) if (v !== undefined) add(n, v);
  if (extra) for (const n of Object.keys(extra)) add(n, extra[n]);
  if (seen.length > SSDP_MAX_HEADERS) throw new RangeError(`an SSDP message holds at most ${SSDP_MAX_HEADERS} headers, got ${seen.length}`);
  const bytes = utf8Encode(out.join('\r\n') + '\r\n\r\n');
  if (bytes.length > SSDP_MAX_BYTES) throw new RangeError(`SSDP message is ${bytes.length} bytes, over ${SSDP_MAX_BYTES}: fewer or shorter headers`);
  return bytes;
}

function checkMaxAge(maxAge: number | undefined): string | undefined {
  if (maxAge === undefined) return undefined;
  if (!Number.isInteger(maxAge) || maxAge < 0 || maxAge > 86_400) throw new RangeError(`maxAge must be an integer 0..86400 seconds, got ${maxAge}`);
  return `max-age=${maxAge}`;
}

const defaultHost = `${SSDP_GROUP}:${SSDP_PORT}`;

export function buildSearch(m: SearchMessage): Uint8Array {
  if (!Number.isInteger(m.mx) || m.mx < 1 || m.mx > 120) throw new RangeError(`mx must be an integer 1..120 seconds, got ${m.mx}`);
  if (!m.st) throw new TypeError('st must be a non-empty search target');
  return encode(
    'M-SEARCH * HTTP/1.1',
    [
      ['HOST', m.host ?? defaultHost],
      ['MAN', '"ssdp:discover"'],
      ['MX', m.mx],
      ['ST', m.st],
    ],
    m.headers,
  );
}

export function buildNotify(m: NotifyMessage): Uint8Array {
  if (m.nts !== 'ssdp:alive' && m.nts !== 'ssdp:byebye') throw new RangeError(`nts must be ssdp:alive or ssdp:byebye, got ${String(m.nts)}`);
  if (!m.nt || !m.usn) throw new TypeError('nt and usn must be non-empty');
  return encode(
    'NOTIFY * HTTP/1.1',
    [
      ['HOST', m.host ?? defaultHost],
      ['NT', m.nt],
      ['NTS', m.nts],
      ['USN', m.usn],
      ['LOCATION', m.location],
      ['CACHE-CONTROL', checkMaxAge(m.maxAge)],
      ['SERVER', m.server],
    ],
    m.headers,
  );
}

export function buildResponse(m: ResponseMessage): Uint8Array {
  if (!m.st || !m.usn) throw new TypeError('st and usn must be non-empty');
  return encode(
    'HTTP/1.1 200 OK',
    [
      ['CACHE-CONTROL', checkMaxAge(m.maxAge)],
      ['EXT', ''],
      ['LOCATION', m.location],
      ['SERVER', m.server],
      ['ST', m.st],
      ['USN', m.usn],
    ],
    m.headers,
  );
}

function need(headers: SsdpHeaders, name: string, what: string): string {
  const v = headers[name];
  if (v === undefined || v === '') throw new SsdpError('ssdp-missing-header', `${what} without a ${name} header`);
  return v;
}

function unquote(v: string): string {
  return v.length >= 2 && v[0] === '"' && v[v.length - 1] === '"' ? v.slice(1, -1) : v;
}

/**
 * Reads one SSDP datagram. Lines end in CRLF (a bare LF is accepted); names
 * are matched in any case and stored upper-cased; spaces around names and
 * values are dropped; folded lines (leading space or tab) continue the header
 * before them. Throws SsdpError naming what is wrong.
 */
export function parseSsdp(bytes: Uint8Array): SsdpMessage {
  if (bytes.length > SSDP_MAX_BYTES) throw new SsdpError('ssdp-too-large', `SSDP datagram is ${bytes.length} bytes, over ${SSDP_MAX_BYTES}`);
  let text: string;
  try {
    text = utf8Decode(bytes);
  } catch (e) {
    throw new SsdpError('ssdp-not-text', `SSDP datagram is not UTF-8 text: ${(e as Error).message}`);
  }
  const lines = text.split('\n');
  let start = '';
  let i = 0;
  for (; i < lines.length && start === ''; i++) start = lines[i].replace(/\r$/, '').trim(); // leading blank lines are tolerated
  if (!start) throw new SsdpError('ssdp-malformed', 'SSDP datagram is empty');
  const headers: SsdpHeaders = {};
  let count = 0;
  let last: string | undefined;
  for (; i < lines.length; i++) {
    const line = lines[i].replace(/\r$/, '');
    if (line.trim() === '') break; // end of headers (SSDP carries no body)
    if ((line[0] === ' ' || line[0] === '\t') && last !== undefined) {
      headers[last] = `${headers[last]} ${line.trim()}`.trim();
      continue;
    }
    const colon = line.indexOf(':');
    if (colon <= 0) throw new SsdpError('ssdp-malformed', `SSDP header line ${i + 1} has no name: '${line.slice(0, 40)}'`);
    const name = line.slice(0, colon).trim().toUpperCase();
    if (!TOKEN.test(name)) throw new SsdpError('ssdp-malformed', `SSDP header name '${name.slice(0, 40)}' is not an HTTP token`);
    if (++count > SSDP_MAX_HEADERS) throw new SsdpError('ssdp-too-many-headers', `SSDP datagram has more than ${SSDP_MAX_HEADERS} headers`);
    const value = line.slice(colon + 1).trim();
    headers[name] = headers[name] === undefined ? value : `${headers[name]}, ${value}`;
    last = name;
  }
  const parts = start.split(/\s+/);
  const method = parts[0].toUpperCase();
  if (/^HTTP\/\d\.\d$/.test(method)) {
    const status = Number(parts[1]);
    if (!/^\d{3}$/.test(parts[1] ?? '')) throw new SsdpError('ssdp-malformed', `SSDP status line '${start.slice(0, 40)}' has no status code`);
    if (status !== 200) throw new SsdpError('ssdp-unsupported', `SSDP answer with status ${status}, not 200`);
    return { kind: 'response', status, st: need(headers, 'ST', 'search answer'), usn: need(headers, 'USN', 'search answer'), headers };
  }
  if (parts.length !== 3 || !/^HTTP\/\d\.\d$/i.test(parts[2]))
    throw new SsdpError('ssdp-malformed', `SSDP request line '${start.slice(0, 40)}' is not 'METHOD * HTTP/1.1'`);
  if (method === 'M-SEARCH') {
    const man = need(headers, 'MAN', 'M-SEARCH');
    if (unquote(man) !== 'ssdp:discover') throw new SsdpError('ssdp-malformed', `M-SEARCH MAN is ${man}, not "ssdp:discover"`);
    const mxText = need(headers, 'MX', 'M-SEARCH');
    if (!/^\d{1,3}$/.test(mxText)) throw new SsdpError('ssdp-malformed', `M-SEARCH MX '${mxText.slice(0, 20)}' is not a whole number of seconds`);
    return { kind: 'search', st: unquote(need(headers, 'ST', 'M-SEARCH')), mx: Number(mxText), man, headers };
  }
  if (method === 'NOTIFY') {
    return {
      kind: 'notify',
      nt: need(headers, 'NT', 'NOTIFY'),
      nts: need(headers, 'NTS', 'NOTIFY').toLowerCase(),
      usn: need(headers, 'USN', 'NOTIFY'),
      headers,
    };
  }
  throw new SsdpError('ssdp-unsupported', `SSDP method '${parts[0].slice(0, 20)}' is not M-SEARCH or NOTIFY`);
}
