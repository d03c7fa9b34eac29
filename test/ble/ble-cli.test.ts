import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { IoError } from '../../hal/contracts/errors.js';
import { bleFlags } from '../../host/cli/ble-flags.js';
import { bleCommand } from '../../host/cli/commands/ble.js';
import { Hub } from '../../host/hub/hub.js';
import { runCommand } from '../helpers/run-command.js';

const fazt = (argv: string[]) => runCommand(bleCommand, argv);

describe('fazt hub --ble flags', () => {
  it('without --ble nothing scans, and the other BLE flags are refused', () => {
    assert.deepEqual(bleFlags({}), {});
    assert.throws(() => bleFlags({ 'ble-adapter': 'hci0' }), { name: 'UsageError', message: '--ble-adapter needs --ble' });
  });
  it('--ble with an adapter, an interval and a count', () => {
    const { ble } = bleFlags({ ble: true, 'ble-adapter': 'hci1', 'ble-interval': '30s', 'ble-absent-after': '4' });
    assert.equal(typeof ble?.scanner, 'function');
    assert.equal(ble?.intervalMs, 30_000);
    assert.equal(ble?.absentAfter, 4);
  });
  it('mistakes name their flag', () => {
    assert.throws(() => bleFlags({ ble: true, 'ble-adapter': 'eth0' }), /--ble-adapter 'eth0' is not a BlueZ adapter name/);
    assert.throws(() => bleFlags({ ble: true, 'ble-interval': '30' }), { name: 'UsageError' });
    assert.throws(() => bleFlags({ ble: true, 'ble-absent-after': '0' }), /--ble-absent-after must be a whole number ≥ 1/);
  });
  it('a scanner that cannot be made (node-ble missing, no BlueZ): the hub does not start, and says why', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'fazt-ble-hub-'));
    try {
      const scanner = () => {
        throw new IoError('unsupported', 'node-ble is not installed (needed for BLE scanning on this host): npm install node-ble');
      };
      const hub = new Hub({ dataDir: dir, host: '127.0.0.1', port: 0, time: { mode: 'system' }, log: () => undefined, ble: { scanner } });
      await assert.rejects(hub.start(), /node-ble is not installed/);
      // It let go of everything: the same folder starts again without BLE.
      const again = new Hub({ dataDir: dir, host: '127.0.0.1', port: 0, time: { mode: 'system' }, log: () => undefined });
      await again.start();
      await again.stop();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
  it('the hub refuses bad BLE options before it starts', () => {
    assert.throws(
      () => new Hub({ ble: { scanner: () => ({ start() {}, stop() {}, close() {} }), absentAfter: 0 } }),
      /ble.absentAfter must be a whole number ≥ 1, got 0/,
    );
  });
});

describe('fazt ble scan without BlueZ', () => {
  it('no system bus: one sentence and exit 1, at once rather than after --seconds', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'fazt-ble-cli-'));
    const saved = process.env.DBUS_SYSTEM_BUS_ADDRESS;
    process.env.DBUS_SYSTEM_BUS_ADDRESS = `unix:path=${join(dir, 'no-such-bus')}`;
    try {
      const r = await fazt(['scan', '--seconds', '600']);
      assert.equal(r.code, 1);
      assert.equal(r.out, '');
      assert.match(r.err, /cannot reach BlueZ on the system D-Bus \(ENOENT\)/);
    } finally {
      if (saved === undefined) delete process.env.DBUS_SYSTEM_BUS_ADDRESS;
      else process.env.DBUS_SYSTEM_BUS_ADDRESS = saved;
      rmSync(dir, { recursive: true, force: true });
    }
  });
  it('--seconds must be a sensible number', async () => {
    await assert.rejects(fazt(['scan', '--seconds', 'soon']), { name: 'UsageError', message: /--seconds must be a number of seconds/ });
  });
});
