import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { wifiBoot } from '../../firmware/device/wifi-boot.js';
import { encodeCommand, encodeWifiSettings, ImprovCommand } from '../../firmware/provision/improv-serial.js';
import { memoryPreferences } from '../../hal/contracts/preferences.js';
import { serialPair } from '../../hal/sim/sim-serial.js';

const device = { firmware: 'fazt', version: '0.1.0', chip: 'esp32-devkitc/ESP32-D0WD-V3', name: 'node' };

function boot(o: { prefs?: ReturnType<typeof memoryPreferences>; built?: { ssid?: string; password?: string }; network?: string }) {
  const prefs = o.prefs ?? memoryPreferences();
  const { open, peer } = serialPair();
  const log: string[] = [];
  const joins: string[] = [];
  let starts = 0;
  wifiBoot({
    prefs,
    built: o.built ?? {},
    join: (ssid, password, done) => {
      joins.push(ssid);
      done(password === o.network);
    },
    openSerial: open,
    device,
    start: () => void starts++,
    log: (l) => void log.push(l),
  });
  return { prefs, peer, log, joins, starts: () => starts };
}

describe('Wi-Fi at boot without a rebuild', () => {
  it('with no credentials it waits, and starts the node once Improv provisioning joined', () => {
    const b = boot({ network: 'pw-1' });
    assert.equal(b.starts(), 0);
    assert.deepStrictEqual(b.log, ['no Wi-Fi credentials: waiting for Improv provisioning on the serial port']);
    b.peer.write(encodeCommand(ImprovCommand.wifiSettings, encodeWifiSettings('home', 'pw-1')));
    assert.equal(b.starts(), 1);
    assert.deepStrictEqual([b.prefs.get('wifi', 'ssid'), b.prefs.get('wifi', 'password')], ['home', 'pw-1']);
    // Provisioning again (another network) does not start a second node.
    b.peer.write(encodeCommand(ImprovCommand.wifiSettings, encodeWifiSettings('home', 'pw-1')));
    assert.equal(b.starts(), 1);
    assert.ok(b.log.every((l) => !l.includes('pw-1')));
  });

  it('joins provisioned credentials before the built-in ones; starts at once on the built-in ones alone', () => {
    const prefs = memoryPreferences();
    prefs.set('wifi', 'ssid', 'attic');
    prefs.set('wifi', 'password', 'pw-2');
    const a = boot({ prefs, built: { ssid: 'built', password: 'x' }, network: 'pw-2' });
    assert.deepStrictEqual([a.joins, a.starts()], [['attic'], 1]);
    const b = boot({ built: { ssid: 'built', password: 'x' } });
    assert.deepStrictEqual([b.joins, b.starts()], [[], 1]);
    const c = boot({ prefs, network: 'other' });
    assert.equal(c.starts(), 0);
    assert.deepStrictEqual(c.log.at(-1), 'could not join "attic": waiting for Improv provisioning on the serial port');
  });

  it('runs on without Improv when the serial port cannot be opened', () => {
    const log: string[] = [];
    let starts = 0;
    wifiBoot({
      prefs: memoryPreferences(),
      built: { ssid: 'built', password: 'x' },
      join: () => assert.fail('no join for built-in credentials'),
      openSerial: () => {
        throw new Error('UART 0 in use');
      },
      device,
      start: () => void starts++,
      log: (l) => void log.push(l),
    });
    assert.equal(starts, 1);
    assert.deepStrictEqual(log, ['Improv serial unavailable (UART 0 in use): Wi-Fi only from the build or earlier provisioning']);
  });
});
