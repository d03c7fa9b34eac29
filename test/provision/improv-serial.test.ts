import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { utf8Encode } from '../../firmware/codec/utf8.js';
import { ImprovProvisioner } from '../../firmware/provision/improv-provisioner.js';
import {
  decodeRpc,
  decodeStrings,
  decodeWifiSettings,
  encodeCommand,
  encodeImprov,
  encodeState,
  encodeWifiSettings,
  ImprovCommand,
  type ImprovError,
  ImprovErrorCode,
  ImprovParser,
  ImprovState,
  ImprovType,
} from '../../firmware/provision/improv-serial.js';
import { wifiCredentials } from '../../firmware/provision/wifi-credentials.js';
import { memoryPreferences } from '../../hal/contracts/preferences.js';
import { serialPair } from '../../hal/sim/sim-serial.js';
import { runImprov } from './improv-script.js';

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');
const bytes = (h: string): Uint8Array => new Uint8Array(Buffer.from(h.replace(/\s/g, ''), 'hex'));
const SSID = 'MyWirelessAP';
const SECRET = 'mysecurepassword';

function collect() {
  const packets: { type: number; data: string }[] = [];
  const errors: ImprovError[] = [];
  const parser = new ImprovParser(
    (type, data) => void packets.push({ type, data: hex(data) }),
    (e) => void errors.push(e),
  );
  return { parser, packets, errors };
}

describe('Improv serial packets (improv-wifi.com/serial, version 1)', () => {
  it('encodes a state packet byte for byte: "IMPROV", version 1, type, length, data, sum of the bytes', () => {
    // 'IMPROV' sums to 0x1dd; + 01 01 01 02 = 0x1e2 → checksum e2.
    assert.equal(hex(encodeState(ImprovState.ready)), '494d50524f5601010102e2');
  });

  it("builds the spec's Send Wi-Fi settings example: 01 1E 0C {MyWirelessAP} 10 {mysecurepassword}", () => {
    const packet = encodeCommand(ImprovCommand.wifiSettings, encodeWifiSettings(SSID, SECRET));
    const data = packet.subarray(9, packet.length - 1);
    assert.equal(hex(data), `011e0c${hex(utf8Encode(SSID))}10${hex(utf8Encode(SECRET))}`);
    assert.deepStrictEqual(decodeWifiSettings(decodeRpc(data).payload), { ssid: SSID, password: SECRET });
  });

  it('finds two packets in one chunk, a packet split byte by byte, and skips log lines between them', () => {
    const a = encodeState(ImprovState.ready);
    const b = encodeImprov(ImprovType.errorState, Uint8Array.of(0));
    const c = collect();
    c.parser.push(new Uint8Array([...utf8Encode('I (312) boot: log line IMPRO\n'), ...a, ...b]));
    for (const x of encodeState(ImprovState.provisioned)) c.parser.push(Uint8Array.of(x));
    assert.deepStrictEqual(c.packets, [
      { type: 1, data: '02' },
      { type: 2, data: '00' },
      { type: 1, data: '04' },
    ]);
    assert.equal(c.errors.length, 0);
  });

  it('refuses a corrupt checksum and a wrong version with a clear error, and still finds the next packet', () => {
    const bad = encodeState(ImprovState.ready);
    bad[bad.length - 1] ^= 0xff;
    const v2 = encodeState(ImprovState.ready);
    v2[6] = 2;
    const c = collect();
    c.parser.push(new Uint8Array([...bad, ...v2, ...encodeState(ImprovState.provisioning)]));
    assert.deepStrictEqual(
      c.errors.map((e) => [e.code, e.message]),
      [
        ['checksum', 'Improv packet refused: checksum 0x1d, the bytes sum to 0xe2'],
        ['version', 'Improv version 2 refused: this device speaks version 1'],
      ],
    );
    assert.deepStrictEqual(c.packets, [{ type: 1, data: '03' }]);
  });

  it('holds at most one packet of noise, however much arrives', () => {
    const c = collect();
    for (let i = 0; i < 1000; i++) c.parser.push(new Uint8Array(997).fill(0x41));
    c.parser.push(encodeState(ImprovState.ready));
    assert.deepStrictEqual(c.packets, [{ type: 1, data: '02' }]);
  });

  it('refuses malformed RPC data and strings that run past the end', () => {
    assert.throws(() => decodeRpc(bytes('01 05 00')), /RPC command 1 says 5 data bytes, carries 1/);
    assert.throws(() => decodeStrings(bytes('05 41 42'), 'Wi-Fi settings'), /a string of 5 bytes runs past the end at byte 0/);
    assert.throws(() => decodeWifiSettings(encodeWifiSettings('x'.repeat(33), 'p')), /an ssid is 1\.\.32 bytes, got 33/);
    assert.throws(() => encodeImprov(1, new Uint8Array(256)), /at most 255 data bytes, got 256/);
  });
});

describe('Improv provisioning over a serial line', () => {
  it('answers device info and state, stores credentials only once they join, and never sends or logs the password', () => {
    const prefs = memoryPreferences();
    const { open, peer } = serialPair();
    const log: string[] = [];
    const seen = collect();
    peer.onBytes = (b) => seen.parser.push(b);
    const port = open({
      baud: 115200,
      onBytes: (b) => provisioner.receive(b),
    });
    const provisioner = new ImprovProvisioner({
      prefs,
      send: (b) => port.write(b),
      join: (_ssid, password, done) => done(password === SECRET),
      device: { firmware: 'fazt', version: '0.1.0', chip: 'esp32-devkitc/esp32', name: 'battery-node' },
      nextUrl: () => 'http://hub.local:8080/',
      log: (l) => void log.push(l),
    });
    peer.write(encodeCommand(ImprovCommand.currentState, new Uint8Array(0)));
    peer.write(encodeCommand(ImprovCommand.deviceInfo, new Uint8Array(0)));
    assert.deepStrictEqual(seen.packets.splice(0), [
      { type: ImprovType.currentState, data: '02' },
      {
        type: ImprovType.rpcResult,
        data: hex(
          new Uint8Array([
            3,
            44,
            4,
            ...utf8Encode('fazt'),
            5,
            ...utf8Encode('0.1.0'),
            19,
            ...utf8Encode('esp32-devkitc/esp32'),
            12,
            ...utf8Encode('battery-node'),
          ]),
        ),
      },
    ]);
    // A wrong password: the network refuses, nothing is stored, the device is ready again.
    peer.write(encodeCommand(ImprovCommand.wifiSettings, encodeWifiSettings(SSID, 'wrong-password-1')));
    assert.deepStrictEqual(
      seen.packets.splice(0).map((p) => [p.type, p.data]),
      [
        [ImprovType.errorState, '00'],
        [ImprovType.currentState, '03'],
        [ImprovType.errorState, '03'],
        [ImprovType.currentState, '02'],
      ],
    );
    assert.deepStrictEqual(prefs.keys('wifi'), []);
    // The right one: provisioned, stored, and the result names where to go next.
    peer.write(encodeCommand(ImprovCommand.wifiSettings, encodeWifiSettings(SSID, SECRET)));
    const url = utf8Encode('http://hub.local:8080/');
    assert.deepStrictEqual(
      seen.packets.splice(0).map((p) => [p.type, p.data]),
      [
        [ImprovType.errorState, '00'],
        [ImprovType.currentState, '03'],
        [ImprovType.currentState, '04'],
        [ImprovType.rpcResult, hex(new Uint8Array([1, url.length + 1, url.length, ...url]))],
      ],
    );
    assert.deepStrictEqual(wifiCredentials(prefs, { ssid: 'built-in', password: 'x' }), { ssid: SSID, password: SECRET, source: 'preferences' });
    peer.write(encodeCommand(ImprovCommand.currentState, new Uint8Array(0)));
    assert.deepStrictEqual(seen.packets.splice(0)[0], { type: ImprovType.currentState, data: '04' });
    // Nothing the device wrote or logged holds either password.
    const wire = Buffer.concat(peer.received.map((b) => Buffer.from(b)));
    for (const secret of [SECRET, 'wrong-password-1']) {
      assert.equal(wire.indexOf(secret), -1, `the wire holds ${secret}`);
      assert.ok(
        log.every((l) => !l.includes(secret)),
        `a log line holds ${secret}`,
      );
    }
    assert.ok(log.some((l) => l.includes(`joined "${SSID}"`)));
  });

  it('answers a bad checksum, a malformed RPC and an unknown command with an error state and changes nothing', () => {
    const prefs = memoryPreferences();
    const wifi = encodeCommand(ImprovCommand.wifiSettings, encodeWifiSettings(SSID, SECRET));
    const sum = wifi[wifi.length - 1];
    wifi[wifi.length - 1] ^= 0x55;
    const short = encodeImprov(ImprovType.rpcCommand, bytes(`01 20 0c ${hex(utf8Encode(SSID))}`));
    const unknown = encodeCommand(0x7e, new Uint8Array(0));
    const longSsid = encodeCommand(ImprovCommand.wifiSettings, encodeWifiSettings('s'.repeat(40), SECRET));
    const r = runImprov([wifi, short, unknown, longSsid], SECRET, prefs);
    assert.deepStrictEqual(
      r.packets.map((p) => [p.type, p.data[0]]),
      [
        [ImprovType.errorState, ImprovErrorCode.invalidRpc],
        [ImprovType.errorState, ImprovErrorCode.invalidRpc],
        [ImprovType.errorState, ImprovErrorCode.unknownCommand],
        [ImprovType.errorState, ImprovErrorCode.invalidRpc],
      ],
    );
    assert.equal(r.state, ImprovState.ready);
    assert.deepStrictEqual(prefs.keys('wifi'), []);
    assert.deepStrictEqual(r.log, [
      `improv: refused a packet (checksum): Improv packet refused: checksum 0x${(sum ^ 0x55).toString(16)}, the bytes sum to 0x${sum.toString(16)}`,
      'improv: refused a packet (malformed): RPC command 1 says 32 data bytes, carries 13',
      'improv: unknown RPC command 126',
      'improv: refused a packet (malformed): an ssid is 1..32 bytes, got 40',
    ]);
    assert.ok(r.log.every((l) => !l.includes(SECRET)));
  });

  it('joins with provisioned credentials before the built-in ones, and with the built-in ones when none were provisioned', () => {
    const prefs = memoryPreferences();
    assert.equal(wifiCredentials(prefs), undefined);
    assert.deepStrictEqual(wifiCredentials(prefs, { ssid: 'built-in', password: 'pw' }), { ssid: 'built-in', password: 'pw', source: 'build' });
    prefs.set('wifi', 'ssid', 'provisioned');
    assert.deepStrictEqual(wifiCredentials(prefs, { ssid: 'built-in', password: 'pw' }), { ssid: 'provisioned', password: '', source: 'preferences' });
  });
});
