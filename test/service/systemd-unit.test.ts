import assert from 'node:assert/strict';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { serviceCacheFolder } from '../../host/cache-folder.js';
import { othersCannotReach } from '../../host/service/others-can-reach.js';
import { accountNames } from '../../host/service/system-accounts.js';
import { execArg, type ServiceUnitOptions, systemdUnit, UNIT_MARK } from '../../host/service/systemd-unit.js';
import { systemdRunning } from '../../host/service/systemd-running.js';
import { loadCachedImage, storeCachedImage } from '../../sim/xs/xs-image-cache.js';

const base: ServiceUnitOptions = {
  program: ['/usr/bin/node', '/opt/fazt/dist/fazt.js'],
  dataDir: '/var/lib/fazt',
  listen: '0.0.0.0:7070',
  port: 7070,
  beacon: true,
  user: 'fazt',
  supplementaryGroups: ['gpio', 'i2c', 'audio', 'bluetooth'],
};

/** The unit's settings as key → values (a key may repeat). */
function settings(unit: string): Map<string, string[]> {
  const m = new Map<string, string[]>();
  for (const line of unit.split('\n')) {
    const kv = /^([A-Za-z]+)=(.*)$/.exec(line);
    if (kv) m.set(kv[1], [...(m.get(kv[1]) ?? []), kv[2]]);
  }
  return m;
}
const one = (unit: string, key: string) => settings(unit).get(key)?.join('\n');

describe('the systemd unit of the hub', () => {
  it('runs fazt hub with the data folder, the listen address and --beacon, as its own user with the hardware groups', () => {
    const u = systemdUnit(base);
    assert.ok(u.startsWith(UNIT_MARK));
    assert.equal(one(u, 'ExecStart'), '/usr/bin/node /opt/fazt/dist/fazt.js hub --data /var/lib/fazt --listen 0.0.0.0:7070 --beacon');
    assert.equal(one(u, 'User'), 'fazt');
    assert.equal(one(u, 'Group'), 'fazt');
    assert.equal(one(u, 'SupplementaryGroups'), 'gpio i2c audio bluetooth');
    assert.equal(one(systemdUnit({ ...base, supplementaryGroups: [] }), 'SupplementaryGroups'), undefined);
    assert.equal(one(systemdUnit({ ...base, beacon: false }), 'ExecStart')?.endsWith('--listen 0.0.0.0:7070'), true);
    assert.equal(one(systemdUnit({ ...base, program: ['/usr/local/bin/fazt'] }), 'ExecStart')?.startsWith('/usr/local/bin/fazt hub '), true);
  });

  it('is hardened: state and cache directories, a read-only system, no new privileges, no capabilities', () => {
    const u = systemdUnit(base);
    for (const [k, v] of Object.entries({
      StateDirectory: 'fazt',
      StateDirectoryMode: '0700',
      CacheDirectory: 'fazt',
      ProtectSystem: 'strict',
      ProtectHome: 'yes',
      NoNewPrivileges: 'yes',
      CapabilityBoundingSet: '',
      AmbientCapabilities: '',
      UMask: '0077',
      PrivateTmp: 'yes',
      SystemCallFilter: '@system-service',
      SystemCallErrorNumber: 'EPERM',
    }))
      assert.equal(one(u, k), v, k);
  });

  it('keeps what the hub needs: devices (gpiochip, i2c, sound), writable-executable memory for V8, netlink for the beacon', () => {
    const s = settings(systemdUnit(base));
    for (const k of [
      'PrivateDevices',
      'DeviceAllow',
      'DevicePolicy',
      'ProtectClock',
      'MemoryDenyWriteExecute',
      'ProcSubset',
      'PrivateNetwork',
      'IPAddressDeny',
    ])
      assert.equal(s.has(k), false, `${k} must not be set`);
    assert.deepEqual(s.get('RestrictAddressFamilies')?.[0].split(' ').sort(), ['AF_INET', 'AF_INET6', 'AF_NETLINK', 'AF_UNIX']);
  });

  it('a port below 1024 gets CAP_NET_BIND_SERVICE and nothing else', () => {
    const u = systemdUnit({ ...base, listen: '0.0.0.0:80', port: 80 });
    assert.equal(one(u, 'CapabilityBoundingSet'), 'CAP_NET_BIND_SERVICE');
    assert.equal(one(u, 'AmbientCapabilities'), 'CAP_NET_BIND_SERVICE');
  });

  it('a data folder outside /var/lib is ReadWritePaths=; a program or data under /home makes home read-only, not hidden', () => {
    const u = systemdUnit({ ...base, dataDir: '/srv/fazt' });
    assert.equal(one(u, 'ReadWritePaths'), '/srv/fazt');
    assert.equal(one(u, 'StateDirectory'), undefined);
    assert.equal(one(systemdUnit({ ...base, program: ['/usr/bin/node', '/home/pi/fazt/dist/fazt.js'] }), 'ProtectHome'), 'read-only');
    assert.equal(one(systemdUnit({ ...base, dataDir: '/home/pi/fazt-data' }), 'ProtectHome'), 'read-only');
  });

  it('passes scheduled backups to the hub; a backup folder on another disk is made writable, one under the data folder is already', () => {
    const u = systemdUnit({ ...base, backups: { every: '24h', keep: 7, dir: '/mnt/usb/fazt' } });
    assert.equal(one(u, 'ExecStart')?.endsWith('--beacon --backup-every 24h --backup-keep 7 --backup-dir /mnt/usb/fazt'), true, one(u, 'ExecStart'));
    assert.equal(one(u, 'ReadWritePaths'), '/mnt/usb/fazt');
    assert.equal(one(systemdUnit({ ...base, backups: { every: '12h', keep: 3, dir: '/var/lib/fazt/backups' } }), 'ReadWritePaths'), undefined);
    assert.equal(one(systemdUnit({ ...base, backups: { every: '12h', keep: 3 } }), 'ExecStart')?.endsWith('--backup-every 12h --backup-keep 3'), true);
    assert.throws(() => systemdUnit({ ...base, backups: { every: 'daily', keep: 7 } }), /backups.every must be a duration like 24h, got 'daily'/);
    assert.throws(() => systemdUnit({ ...base, backups: { every: '1h', keep: 7, dir: '/mnt/../etc' } }), /backups.dir must be a plain absolute folder/);
  });

  it('escapes ExecStart words: specifiers, variables, spaces and quotes', () => {
    assert.equal(execArg('/opt/fazt/dist/fazt.js'), '/opt/fazt/dist/fazt.js');
    assert.equal(execArg('/opt/100%/fazt'), '/opt/100%%/fazt');
    assert.equal(execArg('/opt/$HOME/fazt'), '/opt/$$HOME/fazt');
    assert.equal(execArg('/opt/my fazt/fazt.js'), '"/opt/my fazt/fazt.js"');
    assert.equal(execArg('/opt/a"b\\c'), '"/opt/a\\"b\\\\c"');
    assert.equal(
      one(systemdUnit({ ...base, program: ['/usr/bin/node', '/opt/my fazt/dist/fazt.js'] }), 'ExecStart')?.split(' hub ')[0],
      '/usr/bin/node "/opt/my fazt/dist/fazt.js"',
    );
  });

  it('refuses options it cannot write safely, naming them', () => {
    assert.throws(() => systemdUnit({ ...base, dataDir: 'fazt-data' }), /dataDir must be a plain absolute folder.*'fazt-data'/);
    assert.throws(() => systemdUnit({ ...base, dataDir: '/srv/my data' }), RangeError);
    assert.throws(() => systemdUnit({ ...base, dataDir: '/var/lib/../etc' }), RangeError);
    assert.throws(() => systemdUnit({ ...base, dataDir: '/var/lib' }), /a folder of its own/);
    assert.throws(() => systemdUnit({ ...base, user: 'Fazt Hub' }), /user must be a system user name/);
    assert.throws(() => systemdUnit({ ...base, supplementaryGroups: ['gpio;rm'] }), /supplementaryGroups holds 'gpio;rm'/);
    assert.throws(() => systemdUnit({ ...base, program: ['node', 'fazt.js'] }), /program must be absolute/);
  });
});

describe('what install reads from the machine', () => {
  it('account names from /etc/passwd and /etc/group text', () => {
    assert.deepEqual([...accountNames('root:x:0:0:root:/root:/bin/bash\n# comment\naudio:x:29:pi\n\ngpio:x:997:pi\n')], ['root', 'audio', 'gpio']);
  });

  it('names the folder the service user cannot enter, or the file it cannot read', () => {
    const dir = mkdtempSync(join(tmpdir(), 'fazt-reach-'));
    chmodSync(dir, 0o755);
    mkdirSync(join(dir, 'home'), { mode: 0o700 });
    chmodSync(join(dir, 'home'), 0o700);
    writeFileSync(join(dir, 'home', 'fazt.js'), '', { mode: 0o644 });
    writeFileSync(join(dir, 'open.js'), '', { mode: 0o600 });
    chmodSync(join(dir, 'open.js'), 0o600);
    writeFileSync(join(dir, 'fine.js'), '', { mode: 0o644 });
    chmodSync(join(dir, 'fine.js'), 0o644);
    assert.equal(othersCannotReach(join(dir, 'home', 'fazt.js'), false), `other users cannot enter ${join(dir, 'home')}`);
    assert.match(othersCannotReach(join(dir, 'open.js'), false) ?? '', /open\.js is not readable by other users/);
    assert.match(othersCannotReach(join(dir, 'fine.js'), true) ?? '', /fine\.js is not executable by other users/);
    assert.equal(othersCannotReach(process.execPath, true), undefined);
  });

  it('systemd counts as running only where /run/systemd/system exists', () => {
    const root = mkdtempSync(join(tmpdir(), 'fazt-root-'));
    assert.equal(systemdRunning(root), false);
    mkdirSync(join(root, 'run', 'systemd', 'system'), { recursive: true });
    assert.equal(systemdRunning(root), true);
  });

  it("the cache is systemd's $CACHE_DIRECTORY when set (the first of several), nothing otherwise", () => {
    assert.equal(serviceCacheFolder('fazt-xs', { CACHE_DIRECTORY: '/var/cache/fazt' }), '/var/cache/fazt/fazt-xs');
    assert.equal(serviceCacheFolder('fazt-xs', { CACHE_DIRECTORY: '/var/cache/fazt:/var/cache/other' }), '/var/cache/fazt/fazt-xs');
    assert.equal(serviceCacheFolder('fazt-xs', {}), undefined);
  });

  it('the XS image cache goes under $CACHE_DIRECTORY when systemd sets it (the checkout is read-only there)', () => {
    const cache = mkdtempSync(join(tmpdir(), 'fazt-cache-'));
    const source = join(cache, 'entry.ts');
    writeFileSync(source, 'export {};\n');
    const before = process.env.CACHE_DIRECTORY;
    process.env.CACHE_DIRECTORY = cache;
    try {
      storeCachedImage(source, [source], { snapshot: new Uint8Array([1, 2, 3]), bundleBytes: 3 });
      assert.equal(existsSync(join(cache, 'fazt-xs')), true);
      assert.deepEqual(loadCachedImage(source), { snapshot: new Uint8Array([1, 2, 3]), bundleBytes: 3 });
    } finally {
      if (before === undefined) delete process.env.CACHE_DIRECTORY;
      else process.env.CACHE_DIRECTORY = before;
    }
  });
});
