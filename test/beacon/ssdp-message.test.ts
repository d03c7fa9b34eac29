import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { describe, it } from 'node:test';
import { BEACON_SEARCH_TARGET } from '../../firmware/beacon/beacon-record.js';
import { buildNotify, buildResponse, buildSearch, parseSsdp, SsdpError } from '../../firmware/beacon/ssdp-message.js';

const text = (b: Uint8Array): string => Buffer.from(b).toString('latin1');
const bytes = (s: string): Uint8Array => new Uint8Array(Buffer.from(s, 'latin1'));
const code = (c: string) => (e: unknown) => e instanceof SsdpError && e.code === c;

/** node-ssdp 4.0.1's own parser and writer (its base class has no sockets until started). */
const require = createRequire(import.meta.url);
interface NodeSsdpParser {
  _getHeaders(msg: string): Record<string, string>;
  _getMethod(msg: string): string;
  _getStatusCode(msg: string): number;
}
const NodeSsdp = require('node-ssdp/lib/index.js') as new (o: object) => NodeSsdpParser;
const SsdpHeader = require('node-ssdp/lib/ssdpHeader.js') as new (
  method: string,
  headers: Record<string, unknown>,
  isResponse?: boolean,
) => { toString(): string };
const theirs = new NodeSsdp({ customLogger: () => undefined, location: 'http://127.0.0.1/' });

const FAZT = { 'FAZT-BEACON': 'pGF2AWJpZHg', 'FAZT-SIG': 'c2ln' };

describe('SSDP messages: building', () => {
  it('M-SEARCH: request line, HOST, MAN, MX, ST, CRLF, blank line at the end', () => {
    assert.equal(
      text(buildSearch({ st: BEACON_SEARCH_TARGET, mx: 2 })),
      'M-SEARCH * HTTP/1.1\r\nHOST: 239.255.255.250:1900\r\nMAN: "ssdp:discover"\r\nMX: 2\r\nST: urn:fazt-dev:service:beacon:1\r\n\r\n',
    );
  });
  it('NOTIFY alive carries NT, NTS, USN, LOCATION, CACHE-CONTROL, SERVER and the extra headers', () => {
    const m = text(
      buildNotify({
        nts: 'ssdp:alive',
        nt: BEACON_SEARCH_TARGET,
        usn: 'uuid:fazt-x::t',
        location: 'http://10.0.0.2:7070/v1/beacon',
        maxAge: 1800,
        server: 'fazt/0.1 UPnP/1.1 fazt-beacon/1',
        headers: FAZT,
      }),
    );
    assert.equal(
      m,
      'NOTIFY * HTTP/1.1\r\nHOST: 239.255.255.250:1900\r\nNT: urn:fazt-dev:service:beacon:1\r\nNTS: ssdp:alive\r\nUSN: uuid:fazt-x::t\r\nLOCATION: http://10.0.0.2:7070/v1/beacon\r\n' +
        'CACHE-CONTROL: max-age=1800\r\nSERVER: fazt/0.1 UPnP/1.1 fazt-beacon/1\r\nFAZT-BEACON: pGF2AWJpZHg\r\nFAZT-SIG: c2ln\r\n\r\n',
    );
  });
  it('NOTIFY byebye leaves out what it does not need', () => {
    assert.equal(
      text(buildNotify({ nts: 'ssdp:byebye', nt: 'a', usn: 'b', host: '127.0.0.1:40000' })),
      'NOTIFY * HTTP/1.1\r\nHOST: 127.0.0.1:40000\r\nNT: a\r\nNTS: ssdp:byebye\r\nUSN: b\r\n\r\n',
    );
  });
  it('200 OK: CACHE-CONTROL, EXT (empty), LOCATION, SERVER, ST, USN, extras', () => {
    assert.equal(
      text(buildResponse({ st: 's', usn: 'u', location: 'http://h/', maxAge: 60, server: 'x', headers: { A: '1' } })),
      'HTTP/1.1 200 OK\r\nCACHE-CONTROL: max-age=60\r\nEXT: \r\nLOCATION: http://h/\r\nSERVER: x\r\nST: s\r\nUSN: u\r\nA: 1\r\n\r\n',
    );
  });
  it('refuses header injection, duplicate and bad names, bad MX, and a message over 2 KB', () => {
    assert.throws(() => buildSearch({ st: 'a\r\nEVIL: 1', mx: 1 }), TypeError);
    assert.throws(() => buildResponse({ st: 's', usn: 'u', headers: { 'BAD NAME': 'x' } }), TypeError);
    assert.throws(() => buildResponse({ st: 's', usn: 'u', headers: { st: 'again' } }), /given twice/);
    assert.throws(() => buildSearch({ st: 's', mx: 0 }), RangeError);
    assert.throws(() => buildSearch({ st: 's', mx: 1.5 }), RangeError);
    assert.throws(() => buildResponse({ st: 's', usn: 'u', headers: { BIG: 'x'.repeat(2100) } }), /over 2048/);
    assert.throws(() => buildNotify({ nts: 'ssdp:update' as 'ssdp:alive', nt: 'a', usn: 'b' }), RangeError);
  });
});

describe('SSDP messages: parsing', () => {
  it('round-trips each kind', () => {
    assert.deepEqual(parseSsdp(buildSearch({ st: BEACON_SEARCH_TARGET, mx: 3 })), {
      kind: 'search',
      st: BEACON_SEARCH_TARGET,
      mx: 3,
      man: '"ssdp:discover"',
      headers: { HOST: '239.255.255.250:1900', MAN: '"ssdp:discover"', MX: '3', ST: BEACON_SEARCH_TARGET },
    });
    const n = parseSsdp(buildNotify({ nts: 'ssdp:byebye', nt: 'a', usn: 'b', headers: FAZT }));
    assert.equal(n.kind, 'notify');
    assert.deepEqual([n.kind === 'notify' && n.nts, n.headers['FAZT-BEACON'], n.headers['FAZT-SIG']], ['ssdp:byebye', FAZT['FAZT-BEACON'], FAZT['FAZT-SIG']]);
    const r = parseSsdp(buildResponse({ st: 's', usn: 'u', headers: FAZT }));
    assert.deepEqual(r.kind === 'response' && [r.status, r.st, r.usn, r.headers.EXT], [200, 's', 'u', '']);
  });
  it('tolerates header case, spacing, bare LF, folded lines, a lower-case method and a quoted ST', () => {
    const m = parseSsdp(bytes('m-search * HTTP/1.1\nhost:239.255.255.250:1900\nMan :   "ssdp:discover"  \nmx:1\nSt: "ssdp:all"\nX-Long: one\n\ttwo\n\n'));
    assert.equal(m.kind, 'search');
    if (m.kind !== 'search') return;
    assert.equal(m.st, 'ssdp:all');
    assert.equal(m.mx, 1);
    assert.equal(m.headers['X-LONG'], 'one two');
  });
  it('joins a repeated header (so a doubled FAZT-SIG cannot be picked from)', () => {
    const m = parseSsdp(bytes('HTTP/1.1 200 OK\r\nST: s\r\nUSN: u\r\nFAZT-SIG: a\r\nfazt-sig: b\r\n\r\n'));
    assert.equal(m.headers['FAZT-SIG'], 'a, b');
  });
  it('refuses a datagram over 2 KB', () => {
    const big = new Uint8Array(2049).fill(0x41);
    assert.throws(() => parseSsdp(big), code('ssdp-too-large'));
  });
  it('refuses more than 32 headers', () => {
    const lines = Array.from({ length: 33 }, (_, i) => `H${i}: v`).join('\r\n');
    assert.throws(() => parseSsdp(bytes(`NOTIFY * HTTP/1.1\r\n${lines}\r\n\r\n`)), code('ssdp-too-many-headers'));
    const ok = Array.from({ length: 29 }, (_, i) => `H${i}: v`).join('\r\n');
    assert.equal(parseSsdp(bytes(`NOTIFY * HTTP/1.1\r\nNT: a\r\nNTS: ssdp:alive\r\nUSN: b\r\n${ok}\r\n\r\n`)).kind, 'notify');
  });
  it('refuses bytes that are not UTF-8', () => {
    assert.throws(() => parseSsdp(new Uint8Array([0x4e, 0xff, 0xfe, 0x0d, 0x0a])), code('ssdp-not-text'));
  });
  it('names what is malformed or missing', () => {
    assert.throws(() => parseSsdp(bytes('')), code('ssdp-malformed'));
    assert.throws(() => parseSsdp(bytes('NOTIFY * HTTP/1.1\r\nno colon here\r\n\r\n')), /has no name/);
    assert.throws(() => parseSsdp(bytes('NOTIFY HTTP/1.1\r\n\r\n')), /not 'METHOD \* HTTP\/1.1'/);
    assert.throws(
      () => parseSsdp(bytes('NOTIFY * HTTP/1.1\r\nNTS: ssdp:alive\r\nUSN: u\r\n\r\n')),
      (e: unknown) => code('ssdp-missing-header')(e) && /without a NT header/.test((e as Error).message),
    );
    assert.throws(() => parseSsdp(bytes('M-SEARCH * HTTP/1.1\r\nMX: 1\r\nST: s\r\n\r\n')), /without a MAN header/);
    assert.throws(() => parseSsdp(bytes('M-SEARCH * HTTP/1.1\r\nMAN: "ssdp:other"\r\nMX: 1\r\nST: s\r\n\r\n')), /not "ssdp:discover"/);
    assert.throws(() => parseSsdp(bytes('M-SEARCH * HTTP/1.1\r\nMAN: "ssdp:discover"\r\nMX: soon\r\nST: s\r\n\r\n')), /MX/);
    assert.throws(() => parseSsdp(bytes('GET / HTTP/1.1\r\n\r\n')), code('ssdp-unsupported'));
    assert.throws(() => parseSsdp(bytes('SUBSCRIBE * HTTP/1.1\r\n\r\n')), code('ssdp-unsupported'));
    assert.throws(() => parseSsdp(bytes('HTTP/1.1 404 Not Found\r\n\r\n')), code('ssdp-unsupported'));
    assert.throws(() => parseSsdp(bytes('HTTP/1.1 OK\r\n\r\n')), /no status code/);
  });
});

describe('SSDP messages: node-ssdp 4.0.1 reads ours, we read theirs', () => {
  it("node-ssdp's parser reads our M-SEARCH with the MAN, MX and ST it requires", () => {
    const msg = text(buildSearch({ st: BEACON_SEARCH_TARGET, mx: 3 }));
    assert.equal(theirs._getMethod(msg), 'm-search');
    const h = theirs._getHeaders(msg);
    assert.ok(h.MAN && h.MX && h.ST);
    assert.equal(h.ST, BEACON_SEARCH_TARGET);
  });
  it("node-ssdp's parser reads our NOTIFYs (NT, NTS, USN, extras) and our answers (status 200, EXT, extras)", () => {
    for (const nts of ['ssdp:alive', 'ssdp:byebye'] as const) {
      const msg = text(
        buildNotify({ nts, nt: BEACON_SEARCH_TARGET, usn: 'uuid:fazt-x::t', location: 'http://10.0.0.2:7070/v1/beacon', maxAge: 1800, headers: FAZT }),
      );
      assert.equal(theirs._getMethod(msg), 'notify');
      const h = theirs._getHeaders(msg);
      assert.deepEqual(
        [h.NT, h.NTS, h.USN, h['FAZT-BEACON'], h['FAZT-SIG']],
        [BEACON_SEARCH_TARGET, nts, 'uuid:fazt-x::t', FAZT['FAZT-BEACON'], FAZT['FAZT-SIG']],
      );
    }
    const msg = text(buildResponse({ st: BEACON_SEARCH_TARGET, usn: 'u', maxAge: 60, headers: FAZT }));
    assert.match(msg.split('\r\n')[0], /HTTP\/\d{1}\.\d{1} \d+ .*/); // how node-ssdp tells an answer from a command
    assert.equal(theirs._getStatusCode(msg), 200);
    assert.deepEqual(theirs._getHeaders(msg), { 'CACHE-CONTROL': 'max-age=60', EXT: '', ST: BEACON_SEARCH_TARGET, USN: 'u', ...FAZT });
  });
  it("we read node-ssdp's M-SEARCH, NOTIFY alive/byebye and 200 OK as its SsdpHeader writes them", () => {
    const search = new SsdpHeader('M-SEARCH', { HOST: '239.255.255.250:1900', ST: BEACON_SEARCH_TARGET, MAN: '"ssdp:discover"', MX: 3 }).toString();
    assert.deepEqual(parseSsdp(bytes(search)).kind === 'search' && [parseSsdp(bytes(search)).headers.ST], [BEACON_SEARCH_TARGET]);
    for (const nts of ['ssdp:alive', 'ssdp:byebye']) {
      const n = parseSsdp(
        bytes(new SsdpHeader('NOTIFY', { HOST: '239.255.255.250:1900', NT: BEACON_SEARCH_TARGET, NTS: nts, USN: 'uuid:x::t', ...FAZT }).toString()),
      );
      assert.deepEqual(n.kind === 'notify' && [n.nt, n.nts, n.headers['FAZT-SIG']], [BEACON_SEARCH_TARGET, nts, 'c2ln']);
    }
    const answer = new SsdpHeader(
      '200 OK',
      {
        ST: BEACON_SEARCH_TARGET,
        USN: 'uuid:x::t',
        'CACHE-CONTROL': 'max-age=1800',
        DATE: new Date().toUTCString(),
        SERVER: 'node.js/20 UPnP/1.1 node-ssdp/4.0.1',
        EXT: '',
        ...FAZT,
      },
      true,
    ).toString();
    const r = parseSsdp(bytes(answer));
    assert.deepEqual(r.kind === 'response' && [r.status, r.st, r.headers['FAZT-BEACON']], [200, BEACON_SEARCH_TARGET, FAZT['FAZT-BEACON']]);
  });
});
