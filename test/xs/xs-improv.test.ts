import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { toHex } from '../../firmware/codec/text-encodings.js';
import { encodeCommand, encodeImprov, encodeState, encodeWifiSettings, ImprovCommand, ImprovType } from '../../firmware/provision/improv-serial.js';
import { XsSession } from '../../sim/xs/xs-session.js';
import { type ImprovRun, runImprov } from '../provision/improv-script.js';

/**
 * Improv provisioning inside the real XS engine: the same byte stream gives
 * the same packets, log and stored credentials as on Node. No skip: if XS
 * is missing, XsSession.start throws and this suite fails.
 */
const entry = new URL('./entries/improv-entry.ts', import.meta.url).pathname;
let xs: XsSession;
const SECRET = 'correct horse';

/** A session's bytes, split at odd places, with a console line and a corrupt packet in the stream. */
function stream(): Uint8Array[] {
  const bad = encodeState(2);
  bad[bad.length - 1] ^= 1;
  const all = new Uint8Array([
    ...new TextEncoder().encode('I (31) wifi: boot\n'),
    ...encodeCommand(ImprovCommand.deviceInfo, new Uint8Array(0)),
    ...bad,
    ...encodeCommand(ImprovCommand.wifiSettings, encodeWifiSettings('home-ünï', 'wrong')),
    ...encodeImprov(ImprovType.rpcCommand, Uint8Array.of(1, 9, 3)),
    ...encodeCommand(ImprovCommand.wifiSettings, encodeWifiSettings('home-ünï', SECRET)),
    ...encodeCommand(ImprovCommand.scan, new Uint8Array(0)),
    ...encodeCommand(ImprovCommand.currentState, new Uint8Array(0)),
  ]);
  const chunks: Uint8Array[] = [];
  for (let i = 0, n = 1; i < all.length; i += n, n = (n * 7) % 23 || 1) chunks.push(all.subarray(i, i + n));
  return chunks;
}

describe('Improv serial on XS', () => {
  before(async () => {
    xs = await XsSession.start(entry);
  });
  after(async () => {
    await xs?.close();
  });

  it('really runs in XS', async () => {
    const { value } = await xs.call<Record<string, string>>('engine');
    assert.deepStrictEqual(value, { issueCommand: 'function', process: 'undefined' });
  });

  it('parses, refuses, provisions and answers exactly as on Node, without the password on the wire or in the log', async () => {
    const chunks = stream();
    const onNode = runImprov(chunks, SECRET);
    const { value } = await xs.call<ImprovRun>('improv', chunks.map(toHex), SECRET);
    assert.deepStrictEqual(value, JSON.parse(JSON.stringify(onNode)));
    assert.deepStrictEqual(value.stored, { ssid: 'home-ünï', password: SECRET });
    assert.equal(value.state, 4);
    assert.equal(value.wire.indexOf(Buffer.from(SECRET).toString('hex')), -1);
    assert.ok(value.log.every((l) => !l.includes(SECRET)));
    assert.ok(value.log.some((l) => l.includes('checksum')));
  });
});
