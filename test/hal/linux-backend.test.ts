import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { EventEmitter } from 'node:events';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { BoardError, IoError } from '../../hal/contracts/errors.js';
import type { Board } from '../../hal/board/board.js';
import { PinClaims } from '../../hal/board/pin-claims.js';
import type { Advertisement } from '../../hal/contracts/io.js';
import { FakeGpiodTools } from '../../hal/linux/fake-gpiod-tools.js';
import { getArgs, monArgs, parseEdgeEvent, parseGpiodetect, parseGpiodMajor, parseLineValue, setArgs } from '../../hal/linux/gpiod-tools.js';
import { createLinuxBackend } from '../../hal/linux/linux-backend.js';
import type { LinuxBackendOptions } from '../../hal/linux/linux-context.js';
import { i2cErrorCode, LinuxI2C } from '../../hal/linux/linux-i2c.js';
import { requireLoader, type NativeLoader, type NativePackage } from '../../hal/linux/load-native.js';
import type { I2cBusSync } from '../../hal/linux/native-types.js';
import { getBoard } from '../../host/boards/board-registry.js';
import { bluezMockSkip, mockBluez as mockBluezFor } from '../helpers/bluez-mock.js';
import { until } from '../helpers/wait.js';

/**
 * The linux backend, as far as this machine reaches: no /dev/gpiochip*, no
 * /dev/i2c-*, no /sys/class/pwm, no Bluetooth adapter, no sound card, no
 * kernel modules (so no gpio-sim). What runs for real: option checks and pin
 * claims; lazy loading through the real require(); the libgpiod tools'
 * version detection and chip lookup; the gpiod Digital against stand-in
 * tools; sysfs PWM against a stand-in pwmchip tree; aplay/arecord on ALSA's
 * null and file PCMs; node-ble against BlueZ's D-Bus API mocked by
 * python3-dbusmock on a private bus.
 */
const tmp = mkdtempSync(join(tmpdir(), 'fazt-linux-'));
after(() => rmSync(tmp, { recursive: true, force: true }));
let seq = 0;
const scratch = (name: string) => {
  const d = join(tmp, `${name}-${++seq}`);
  mkdirSync(d, { recursive: true });
  return d;
};

const req = createRequire(import.meta.url);
const installed = (pkg: string) => {
  try {
    req.resolve(pkg);
    return true;
  } catch {
    return false;
  }
};
const onPath = (tool: string) => spawnSync('sh', ['-c', `command -v ${tool}`]).status === 0;

/** The real require() loader, recording what it is asked to load; `absent` points packages at names that do not exist. */
function recording(absent: NativePackage[] = []): NativeLoader & { loaded: NativePackage[] } {
  const inner = requireLoader(Object.fromEntries(absent.map((p) => [p, `fazt-test-absent-${p}`])));
  const loaded: NativePackage[] = [];
  return { loaded, load: (p) => (loaded.push(p), inner.load(p)), resolve: (p) => inner.resolve!(p) };
}

function setup(id: string | Board, extra: Partial<LinuxBackendOptions> & { absent?: NativePackage[] } = {}) {
  const board = typeof id === 'string' ? getBoard(id) : id;
  const claims = new PinClaims(board);
  const loader = recording(extra.absent);
  const backend = createLinuxBackend({ board, claims, loader, ...extra });
  return { backend, claims, loader };
}

const is = (cls: typeof BoardError | typeof IoError, code: string, pattern?: RegExp) => (e: unknown) =>
  e instanceof cls && (e as { code: string }).code === code && (!pattern || pattern.test((e as Error).message));

/**
 * How long a child process (a stand-in gpiod tool, dbus-daemon, the BlueZ mock, aplay) may take
 * to do what a test waits for before the test calls it hung. A bound, not an expectation: on an
 * idle machine each wait ends within tens of milliseconds; a loaded 2-core machine took over 2 s
 * to start a shell script.
 */
const CHILD_BOUND_MS = 15_000;

describe('linux backend: options and pin claims are judged before anything loads', () => {
  it('creating the backend for rpi-4b loads nothing', () => {
    const { loader } = setup('rpi-4b');
    assert.deepEqual(loader.loaded, []);
  });
  it('refuses a pin the board lacks, a reserved pin, a capability it lacks, a bus on wrong pins', () => {
    const { backend, loader } = setup('rpi-4b');
    assert.throws(() => backend.digital({ pin: 40, mode: 'output' }), is(BoardError, 'unknown-pin', /GPIO 40 does not exist on rpi-4b/));
    assert.throws(() => backend.digital({ pin: 0, mode: 'input' }), is(BoardError, 'reserved-pin', /HAT ID EEPROM/));
    assert.throws(() => backend.pwm({ pin: 17, hz: 1000 }), is(BoardError, 'capability', /GPIO 17 has no pwm/));
    assert.throws(() => backend.i2c({ data: 17, clock: 27, address: 0x44 }), is(BoardError, 'bus-pins', /SDA 17\/SCL 27/));
    assert.deepEqual(loader.loaded, []);
  });
  it('refuses an input-only pin as output (no Pi pin is input-only: a copy of rpi-4b with GPIO 27 marked so)', () => {
    const board = structuredClone(getBoard('rpi-4b'));
    board.pins.find((p) => p.gpio === 27)!.inputOnly = true;
    const { backend, loader } = setup(board);
    assert.throws(() => backend.digital({ pin: 27, mode: 'output' }), is(BoardError, 'input-only'));
    assert.deepEqual(loader.loaded, []);
  });
  it('refuses a pin someone holds, naming the holder', () => {
    const { backend, claims, loader } = setup('rpi-5');
    claims.claim(17, 'digital-out', { owner: 'relay' });
    assert.throws(() => backend.digital({ pin: 17, mode: 'input' }), is(BoardError, 'pin-in-use', /claimed by relay/));
    assert.throws(() => backend.pwm({ pin: 17, hz: 50 }), is(BoardError, 'capability'));
    assert.deepEqual(loader.loaded, []);
  });
  it('bad options throw TypeError/RangeError naming the option', () => {
    const { backend, loader } = setup('rpi-4b');
    const named = (cls: ErrorConstructor, name: string) => (e: unknown) => e instanceof cls && new RegExp(name).test((e as Error).message);
    assert.throws(() => backend.digital({ pin: '17' as unknown as number, mode: 'output' }), named(TypeError, 'pin'));
    assert.throws(() => backend.digital({ pin: 17, mode: 'sideways' as 'output' }), named(RangeError, 'mode'));
    assert.throws(() => backend.digital({ pin: 17, mode: 'input', edge: 'rising' }), named(TypeError, 'onReadable'));
    assert.throws(() => backend.digital({ pin: 17, mode: 'output', onReadable: () => undefined }), named(RangeError, 'onReadable'));
    assert.throws(() => backend.pwm({ pin: 18, hz: 1000, resolution: 0 }), named(RangeError, 'resolution'));
    assert.throws(() => backend.i2c({ address: 0x80 }), named(RangeError, 'address'));
    assert.throws(() => backend.i2c({ address: 0x44, hz: 5_000_000 }), named(RangeError, 'hz'));
    assert.throws(() => backend.audioOut({ sampleRate: 16000, channels: 3 as 1, bitsPerSample: 16 }), named(RangeError, 'channels'));
    assert.throws(() => backend.audioOut({ sampleRate: 16000, channels: 1, bitsPerSample: 8 as 16 }), named(RangeError, 'bitsPerSample'));
    assert.throws(() => backend.audioIn({ sampleRate: 16000, channels: 1, bitsPerSample: 16 } as never), named(TypeError, 'onSamples'));
    assert.throws(() => backend.bleScanner({} as never), named(TypeError, 'onAdvertisement'));
    assert.deepEqual(loader.loaded, []);
  });
  it('refuses boards that are not pigpio or gpiod boards', () => {
    assert.throws(() => setup('esp32-devkitc'), is(IoError, 'unsupported', /esp32-devkitc is a moddable board/));
  });
});

describe('linux backend: native packages load lazily and say what is missing', () => {
  it('a missing pigpio names the package and the board; the claim is released', () => {
    const { backend, claims } = setup('rpi-4b', { absent: ['pigpio'] });
    assert.throws(
      () => backend.digital({ pin: 17, mode: 'output' }),
      (e) => e instanceof IoError && e.code === 'unsupported' && e.message === 'pigpio is not installed (needed for GPIO on rpi-4b): npm install pigpio',
    );
    assert.equal(claims.holder(17), undefined);
  });
  it('a missing pigpio is named the same on a host that looks like a Pi 4 (require() itself fails)', () => {
    const dt = scratch('dt');
    writeFileSync(join(dt, 'compatible'), 'raspberrypi,4-model-b\0brcm,bcm2711\0');
    const { backend, loader } = setup('rpi-zero-2w', { absent: ['pigpio'], deviceTreeDir: dt });
    assert.throws(
      () => backend.pwm({ pin: 18, hz: 1000 }),
      (e) => e instanceof IoError && e.message === 'pigpio is not installed (needed for PWM on rpi-zero-2w): npm install pigpio',
    );
    assert.deepEqual(loader.loaded, ['pigpio']);
  });
  it('a missing i2c-bus and a missing node-ble name package and board', () => {
    const { backend, claims } = setup('rpi-4b', { absent: ['i2c-bus', 'node-ble'] });
    assert.throws(
      () => backend.i2c({ address: 0x44 }),
      (e) => e instanceof IoError && e.message === 'i2c-bus is not installed (needed for I2C on rpi-4b): npm install i2c-bus',
    );
    assert.equal(claims.holder(2), undefined);
    assert.throws(
      () => backend.bleScanner({ onAdvertisement: () => undefined }),
      (e) => e instanceof IoError && e.message === 'node-ble is not installed (needed for BLE scanning on rpi-4b): npm install node-ble',
    );
  });
  it('pigpio is not even run on a host that is not a BCM2835–BCM2711 Pi', { skip: !installed('pigpio') && 'pigpio is not installed here' }, () => {
    const { backend, loader } = setup('rpi-4b', { deviceTreeDir: scratch('no-dt') });
    assert.throws(
      () => backend.digital({ pin: 17, mode: 'input' }),
      is(IoError, 'unsupported', /pigpio drives only BCM2835–BCM2711 GPIO and this host is not a device-tree machine/),
    );
    assert.deepEqual(loader.loaded, []);
    assert.equal(
      Object.keys(req.cache).some((f) => /node_modules\/pigpio\//.test(f)),
      false,
    );
  });
  it('pigpio without its C library is refused at load, its boxed warning captured, not printed', {
    skip: !installed('pigpio') && 'pigpio is not installed here',
  }, () => {
    const dt = scratch('dt');
    writeFileSync(join(dt, 'compatible'), 'raspberrypi,4-model-b\0brcm,bcm2711\0');
    const { backend, claims } = setup('rpi-4b', { deviceTreeDir: dt });
    const printed: unknown[] = [];
    const { warn } = console;
    console.warn = (...a: unknown[]) => printed.push(a);
    try {
      assert.throws(
        () => backend.digital({ pin: 17, mode: 'output' }),
        (e) =>
          e instanceof IoError &&
          /pigpio is installed but unusable here \(needed for GPIO on rpi-4b\): its C library cannot be loaded/.test(e.message) &&
          /pigpio C library/.test(String(e.cause)),
      );
    } finally {
      console.warn = warn;
    }
    assert.deepEqual(printed, []);
    assert.equal(claims.holder(17), undefined);
  });
  it('rpi-5 GPIO never loads pigpio: it asks libgpiod for the pinctrl-rp1 chip (none on this machine)', {
    skip: !onPath('gpiodetect') && 'libgpiod tools (Debian gpiod) not installed',
  }, () => {
    const { backend, claims, loader } = setup('rpi-5');
    assert.throws(
      () => backend.digital({ pin: 17, mode: 'output' }),
      is(IoError, 'absent', /no GPIO chip labelled pinctrl-rp1 \(gpiodetect found no gpiochip at all\)/),
    );
    assert.deepEqual(loader.loaded, []);
    assert.equal(claims.holder(17), undefined);
  });
});

/** pigpio's Gpio as far as the backend uses it, logging every call (pigpio's C library cannot run off a Pi). */
function fakePigpio() {
  const log: string[] = [];
  const gpios = new Map<number, EventEmitter & { level: number }>();
  class Gpio extends EventEmitter {
    static INPUT = 0;
    static OUTPUT = 1;
    static PUD_OFF = 0;
    static PUD_DOWN = 1;
    static PUD_UP = 2;
    level = 0;
    failNext = false;
    constructor(
      readonly pin: number,
      o: { mode?: number; pullUpDown?: number; alert?: boolean },
    ) {
      super();
      log.push(`new ${pin} mode=${o.mode} pud=${o.pullUpDown ?? '-'} alert=${o.alert ?? false}`);
      gpios.set(pin, this);
    }
    private note(s: string) {
      log.push(`${this.pin} ${s}`);
      return this;
    }
    mode = (m: number) => this.note(`mode ${m}`);
    pullUpDown = (p: number) => this.note(`pud ${p}`);
    digitalRead = () => this.level;
    digitalWrite = (l: number) => {
      if (this.pin === 27) throw new Error('gpioWrite: bad gpio');
      return this.note(`write ${l}`);
    };
    hardwarePwmWrite = (f: number, d: number) => this.note(`hwpwm ${f} ${d}`);
    enableAlert = () => this.note('alert on');
    disableAlert = () => this.note('alert off');
  }
  return { module: { Gpio }, log, gpios };
}

describe("pigpio Digital and PWM on rpi-4b, over a stand-in of pigpio's Gpio (its C library needs a real Pi)", () => {
  const make = () => {
    const fake = fakePigpio();
    const dt = scratch('dt');
    writeFileSync(join(dt, 'compatible'), 'raspberrypi,4-model-b\0brcm,bcm2711\0');
    const board = getBoard('rpi-4b');
    const claims = new PinClaims(board);
    const backend = createLinuxBackend({ board, claims, deviceTreeDir: dt, loader: { load: (p) => (assert.equal(p, 'pigpio'), fake.module) } });
    return { fake, backend, claims };
  };
  it('output: push-pull starts low, writes, and close leaves an input with no pull', () => {
    const { fake, backend, claims } = make();
    const d = backend.digital({ pin: 17, mode: 'output' });
    d.write(1);
    fake.gpios.get(17)!.level = 1;
    assert.equal(d.read(), 1);
    d.close();
    d.close();
    assert.deepEqual(fake.log, ['new 17 mode=1 pud=0 alert=false', '17 write 0', '17 write 1', '17 mode 0', '17 pud 0']);
    assert.equal(claims.holder(17), undefined);
  });
  it('open-drain: 0 drives low, 1 releases the pin to an input', () => {
    const { fake, backend } = make();
    const d = backend.digital({ pin: 22, mode: 'output-opendrain' });
    d.write(0);
    d.write(1);
    assert.deepEqual(fake.log.slice(0, 4), ['new 22 mode=0 pud=0 alert=false', '22 mode 1', '22 write 0', '22 mode 0']);
    d.close();
  });
  it('an input with a rising edge hears pigpio alerts and ignores falling ones; pulls map to PUD_*', () => {
    const { fake, backend } = make();
    let calls = 0;
    const d = backend.digital({ pin: 23, mode: 'input-pulldown', edge: 'rising', onReadable: () => calls++ });
    const g = fake.gpios.get(23)!;
    g.emit('alert', 1, 100);
    g.emit('alert', 0, 200);
    assert.equal(calls, 1);
    d.close();
    g.emit('alert', 1, 300);
    assert.equal(calls, 1);
    assert.deepEqual(fake.log, ['new 23 mode=0 pud=1 alert=true', '23 alert off', '23 mode 0', '23 pud 0']);
  });
  it('a pigpio C error becomes an IoError and releases the claim', () => {
    const { backend, claims } = make();
    assert.throws(() => backend.digital({ pin: 27, mode: 'output' }), is(IoError, 'absent', /digital pin 27 \(pigpio\): gpioWrite: bad gpio/));
    assert.equal(claims.holder(27), undefined);
  });
  it('hardware PWM: duty in millionths, GPIO 12 and 18 share channel 0, close stops it', () => {
    const { fake, backend, claims } = make();
    const p = backend.pwm({ pin: 18, hz: 25_000, resolution: 8 });
    assert.equal(p.hz, 25_000);
    p.write(255);
    p.write(128);
    assert.throws(() => backend.pwm({ pin: 12, hz: 1000 }), is(BoardError, 'pin-in-use', /GPIO 12 shares PWM channel 0 with GPIO 18/));
    assert.equal(claims.holder(12), undefined);
    backend.pwm({ pin: 13, hz: 50 }).close();
    p.close();
    backend.pwm({ pin: 12, hz: 1000 }).close();
    assert.deepEqual(fake.log.slice(0, 5), [
      'new 18 mode=1 pud=- alert=false',
      '18 hwpwm 25000 0',
      '18 hwpwm 25000 1000000',
      `18 hwpwm 25000 ${Math.round(128e6 / 255)}`,
      'new 13 mode=1 pud=- alert=false',
    ]);
    assert.ok(fake.log.includes('18 hwpwm 0 0'));
  });
});

describe('libgpiod command lines, v1 and v2', () => {
  const line = { chip: 'gpiochip4', offset: 17 };
  it('reads the version and the chip list', () => {
    assert.equal(parseGpiodMajor('gpioget (libgpiod) v1.6.3\nCopyright (C) 2017-2018 Bartosz Golaszewski'), 1);
    assert.equal(parseGpiodMajor('gpioget (libgpiod) v2.1.3'), 2);
    assert.equal(parseGpiodMajor('gpioget 0.1'), undefined);
    assert.deepEqual(parseGpiodetect('gpiochip0 [pinctrl-bcm2711] (58 lines)\ngpiochip1 [raspberrypi-exp-gpio] (8 lines)\n'), [
      { name: 'gpiochip0', label: 'pinctrl-bcm2711', lines: 58 },
      { name: 'gpiochip1', label: 'raspberrypi-exp-gpio', lines: 8 },
    ]);
  });
  it('the gpioget installed here reports its major version', { skip: !onPath('gpioget') && 'libgpiod tools not installed' }, () => {
    const v = parseGpiodMajor(spawnSync('gpioget', ['--version'], { encoding: 'utf8' }).stdout);
    assert.ok(v === 1 || v === 2);
  });
  it('builds each tool line in both syntaxes', () => {
    assert.deepEqual(getArgs(1, line, 'pull-up'), ['-B', 'pull-up', 'gpiochip4', '17']);
    assert.deepEqual(getArgs(2, line, 'disable'), ['--numeric', '-C', 'fazt', '-b', 'disabled', '-c', 'gpiochip4', '17']);
    assert.deepEqual(setArgs(1, line, 1, false, 'once'), ['-m', 'exit', 'gpiochip4', '17=1']);
    assert.deepEqual(setArgs(1, line, 0, true, 'hold'), ['-m', 'signal', '-D', 'open-drain', 'gpiochip4', '17=0']);
    assert.deepEqual(setArgs(2, line, 1, false, 'once'), ['-C', 'fazt', '-t', '0', '-c', 'gpiochip4', '17=1']);
    assert.deepEqual(setArgs(2, line, 0, true, 'interactive'), ['-C', 'fazt', '-i', '-d', 'open-drain', '-c', 'gpiochip4', '17=0']);
    assert.throws(() => setArgs(1, line, 0, false, 'interactive'), RangeError);
    assert.deepEqual(monArgs(1, line, 'pull-down', 'rising'), ['-b', '-F', '%e', '-B', 'pull-down', '-r', 'gpiochip4', '17']);
    assert.deepEqual(monArgs(2, line, 'pull-down', 'both'), ['-C', 'fazt', '-F', '%e', '-e', 'both', '-b', 'pull-down', '-c', 'gpiochip4', '17']);
  });
  it('parses values and edges in both syntaxes', () => {
    assert.equal(parseLineValue('1\n'), 1);
    assert.equal(parseLineValue('"17"=inactive\n'), 0);
    assert.equal(parseLineValue('17=active'), 1);
    assert.throws(() => parseLineValue('error'), is(IoError, 'absent'));
    assert.equal(parseEdgeEvent(1, '0'), 'falling');
    assert.equal(parseEdgeEvent(2, '2'), 'falling');
    assert.equal(parseEdgeEvent(2, '1'), 'rising');
    assert.equal(parseEdgeEvent(2, '0'), undefined);
  });
});

for (const variant of [
  { major: 1 as const, interactive: false },
  { major: 2 as const, interactive: false },
  { major: 2 as const, interactive: true },
]) {
  const name = `v${variant.major}${variant.interactive ? ' interactive' : ''}`;
  describe(`gpiod Digital on rpi-5 against stand-in libgpiod ${name} tools (no gpiochip and no gpio-sim module here)`, () => {
    const make = () => {
      const fake = new FakeGpiodTools(scratch('gpiod'), variant.major, { interactive: variant.interactive });
      const faults: IoError[] = [];
      return { fake, faults, ...setup('rpi-5', { gpiodBinDir: fake.bin, onFault: (e) => faults.push(e) }) };
    };
    it('an output drives the line through a held gpioset; close ends the holder and frees the pin', async () => {
      const { fake, backend, claims } = make();
      const d = backend.digital({ pin: 17, mode: 'output' });
      const set = fake.log().filter((l) => l.startsWith('gpioset') && !/--help/.test(l));
      const once = variant.major === 1 ? 'gpioset -m exit gpiochip4 17=0' : 'gpioset -C fazt -t 0 -c gpiochip4 17=0';
      assert.equal(set[0], once);
      await until(() => fake.holderPid() !== undefined, 'the holder', CHILD_BOUND_MS);
      d.write(1);
      await until(() => fake.driven() === 1, 'the line driven high', CHILD_BOUND_MS);
      assert.equal(d.read(), 1);
      d.write(0);
      await until(() => fake.driven() === 0, 'the line driven low', CHILD_BOUND_MS);
      const holder = fake.holderPid()!;
      d.close();
      d.close();
      await until(() => !alive(holder), 'the holder to exit', CHILD_BOUND_MS);
      assert.throws(() => d.write(1), is(IoError, 'closed'));
      assert.equal(claims.holder(17), undefined);
    });
    it('an input reads the outside level through gpioget, with its bias', () => {
      const { fake, backend } = make();
      const d = backend.digital({ pin: 22, mode: 'input-pullup' });
      fake.setLevel(1);
      assert.equal(d.read(), 1);
      fake.setLevel(0);
      assert.equal(d.read(), 0);
      assert.match(
        fake
          .log()
          .filter((l) => l.startsWith('gpioget'))
          .pop()!,
        variant.major === 1 ? /-B pull-up gpiochip4 22$/ : /-b pull-up -c gpiochip4 22$/,
      );
      assert.throws(() => d.write(1), TypeError);
      d.close();
    });
    it('an input with an edge calls onReadable from gpiomon; read() gives the new level', async () => {
      const { fake, backend } = make();
      let calls = 0;
      const d = backend.digital({ pin: 23, mode: 'input', edge: 'both', onReadable: () => calls++ });
      await until(() => fake.holderPid() !== undefined, 'gpiomon', CHILD_BOUND_MS);
      fake.emitEdge('rising');
      await until(() => calls === 1, 'a rising edge', CHILD_BOUND_MS);
      assert.equal(d.read(), 1);
      fake.emitEdge('falling');
      await until(() => calls === 2, 'a falling edge', CHILD_BOUND_MS);
      assert.equal(d.read(), 0);
      d.close();
    });
    it('a busy line is refused as a pin in use and the claim released', () => {
      const { fake, backend, claims } = make();
      fake.setBusy(true);
      assert.throws(() => backend.digital({ pin: 17, mode: 'output' }), is(BoardError, 'pin-in-use', /Device or resource busy/));
      assert.equal(claims.holder(17), undefined);
    });
    it('a holder that dies is a fault: onFault hears it, the next write throws it', async () => {
      const { fake, backend, faults } = make();
      const d = backend.digital({ pin: 17, mode: 'output' });
      await until(() => fake.holderPid() !== undefined, 'the holder', CHILD_BOUND_MS);
      process.kill(fake.holderPid()!, 'SIGKILL');
      await until(() => faults.length === 1, 'the fault', CHILD_BOUND_MS);
      assert.throws(() => d.write(1), is(IoError, 'absent', /gpioset exited/));
      d.close();
    });
  });
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe('sysfs PWM on rpi-5 against a stand-in pwmchip tree (no /sys/class/pwm here)', () => {
  const tree = (withChannel: number | undefined) => {
    const root = scratch('pwm');
    const dev = join(root, 'devices', '1f00098000.pwm');
    const chip = join(root, 'class', 'pwmchip0');
    mkdirSync(dev, { recursive: true });
    mkdirSync(chip, { recursive: true });
    symlinkSync(dev, join(chip, 'device'));
    for (const [f, v] of [
      ['npwm', '4\n'],
      ['export', ''],
      ['unexport', ''],
    ])
      writeFileSync(join(chip, f), v);
    if (withChannel !== undefined) {
      mkdirSync(join(chip, `pwm${withChannel}`));
      for (const f of ['period', 'duty_cycle', 'enable']) writeFileSync(join(chip, `pwm${withChannel}`, f), '0\n');
    }
    return { dir: join(root, 'class'), chip, read: (f: string) => readFileSync(join(chip, f), 'utf8').trim() };
  };
  it('GPIO 18 is RP1 PWM0 channel 2: period, duty and enable in nanoseconds; close disables and unexports', () => {
    const t = tree(2);
    const { backend, claims } = setup('rpi-5', { pwmSysDir: t.dir });
    const p = backend.pwm({ pin: 18, hz: 1000, resolution: 8 });
    assert.equal(t.read('pwm2/period'), '1000000');
    assert.equal(t.read('pwm2/enable'), '1');
    p.write(255);
    assert.equal(t.read('pwm2/duty_cycle'), '1000000');
    p.write(128);
    assert.equal(t.read('pwm2/duty_cycle'), String(Math.round((1e6 * 128) / 255)));
    assert.throws(() => p.write(256), RangeError);
    assert.throws(() => backend.pwm({ pin: 14, hz: 1000 }), is(BoardError, 'pin-in-use', /GPIO 14 shares PWM channel 2 with GPIO 18/));
    p.close();
    assert.equal(t.read('pwm2/enable'), '0');
    assert.equal(t.read('unexport'), '2');
    assert.equal(claims.holder(18), undefined);
    assert.throws(() => p.write(1), is(IoError, 'closed'));
  });
  it('an unexported channel is exported and waited for, bounded', () => {
    const t = tree(undefined);
    const { backend, claims } = setup('rpi-5', { pwmSysDir: t.dir });
    assert.throws(() => backend.pwm({ pin: 12, hz: 50 }), is(IoError, 'timeout', /pwm0 did not appear/));
    assert.equal(t.read('export'), '0');
    assert.equal(claims.holder(12), undefined);
  });
  it('no RP1 PWM chip names the overlay to load (the real /sys/class/pwm here has none)', () => {
    const { backend } = setup('rpi-5');
    assert.throws(
      () => backend.pwm({ pin: 12, hz: 50 }),
      is(IoError, 'absent', /no RP1 PWM chip in \/sys\/class\/pwm .*dtoverlay=pwm-2chan,pin=12,func=4,pin2=13,func2=4/),
    );
  });
});

/** The part of i2c-bus the backend uses, recording calls; `fail` makes the next call throw that errno. */
function fakeBus(reply: (n: number) => number[] = (n) => Array.from({ length: n }, (_, i) => i + 1)) {
  const calls: string[] = [];
  let fail: string | undefined;
  let short = false;
  const maybeFail = () => {
    if (!fail) return;
    const e = Object.assign(new Error(`${fail}, i2c transfer failed`), { code: fail });
    fail = undefined;
    throw e;
  };
  const bus: I2cBusSync = {
    i2cWriteSync: (a, n, b) => (maybeFail(), calls.push(`w ${a} ${[...b.subarray(0, n)]}`), n),
    i2cReadSync: (a, n, b) => (maybeFail(), calls.push(`r ${a} ${n}`), b.set(reply(n)), short ? n - 1 : n),
    readI2cBlockSync: (a, c, n, b) => (maybeFail(), calls.push(`wr ${a} ${c} ${n}`), b.set(reply(n)), n),
    closeSync: () => calls.push('close'),
  };
  return { bus, calls, failNext: (code: string) => (fail = code), shortReads: () => (short = true) };
}

describe('I2C over i2c-bus', () => {
  it('a one-byte write then a read of ≤ 32 bytes is one SMBus I2C block read (repeated start)', () => {
    const f = fakeBus();
    const io = new LinuxI2C(f.bus, 0x44, '/dev/i2c-1', () => undefined);
    assert.deepEqual([...io.writeRead(Uint8Array.of(0xfd), 6)], [1, 2, 3, 4, 5, 6]);
    assert.deepEqual(f.calls, ['wr 68 253 6']);
  });
  it('longer writes or reads fall back to write, STOP, read; write(stop: false) is held until the next call', () => {
    const f = fakeBus();
    const io = new LinuxI2C(f.bus, 0x50, '/dev/i2c-1', () => undefined);
    io.writeRead(Uint8Array.of(0x00, 0x10), 2);
    io.writeRead(Uint8Array.of(0x88), 40);
    io.write(Uint8Array.of(1), false);
    io.write(Uint8Array.of(2));
    assert.deepEqual(f.calls, ['w 80 0,16', 'r 80 2', 'w 80 136', 'r 80 40', 'w 80 1', 'w 80 2']);
  });
  it('errno becomes the IoError code; a short read is a NACK; use after close throws', () => {
    const f = fakeBus();
    let closed = 0;
    const io = new LinuxI2C(f.bus, 0x44, '/dev/i2c-1', () => closed++);
    f.failNext('EREMOTEIO');
    assert.throws(() => io.read(2), is(IoError, 'nack', /0x44 on \/dev\/i2c-1: read failed \(EREMOTEIO\)/));
    f.failNext('ETIMEDOUT');
    assert.throws(() => io.write(Uint8Array.of(1)), is(IoError, 'timeout'));
    f.shortReads();
    assert.throws(() => io.read(3), is(IoError, 'nack', /read 2 of 3/));
    io.close();
    io.close();
    assert.equal(closed, 1);
    assert.throws(() => io.read(1), is(IoError, 'closed'));
    assert.deepEqual(['ENXIO', 'EAGAIN', 'ENOENT', 'EACCES'].map(i2cErrorCode), ['nack', 'bus-stuck', 'absent', 'unsupported']);
  });
  it('the default bus of rpi-4b: /dev/i2c-1 is absent here (or i2c-bus is not installed); the claim is released', () => {
    const { backend, claims } = setup('rpi-4b');
    const expected = installed('i2c-bus')
      ? is(IoError, 'absent', /rpi-4b: \/dev\/i2c-1 does not exist \(I2C on SDA 2\/SCL 3 is not enabled: I2C1/)
      : is(IoError, 'unsupported', /i2c-bus is not installed/);
    assert.throws(() => backend.i2c({ address: 0x44 }), expected);
    assert.equal(claims.holder(2), undefined);
    assert.equal(claims.holder(3), undefined);
  });
  it('devices share a bus; the last close frees SDA/SCL', { skip: !installed('i2c-bus') && 'i2c-bus is not installed here' }, () => {
    const dev = scratch('dev');
    writeFileSync(join(dev, 'i2c-1'), '');
    const { backend, claims } = setup('rpi-4b', { devDir: dev });
    const a = backend.i2c({ address: 0x44 });
    const b = backend.i2c({ data: 2, clock: 3, address: 0x76 });
    assert.throws(() => backend.digital({ pin: 2, mode: 'output' }), is(BoardError, 'pin-in-use', /claimed by i2c 2\/3/));
    // i2c-bus opens the real /dev/i2c-1 at the first transfer: absent on this machine.
    assert.throws(() => a.read(1), is(IoError, 'absent', /ENOENT/));
    a.close();
    assert.ok(claims.holder(2));
    b.close();
    assert.equal(claims.holder(2), undefined);
  });
});

describe('audio through aplay/arecord (no sound card here: ALSA null and file PCMs)', {
  skip: !(onPath('aplay') && onPath('arecord')) && 'alsa-utils (aplay/arecord) not installed',
}, () => {
  const ramp = (n: number) => Int16Array.from({ length: n }, (_, i) => i - 500);
  it('plays raw S16_LE to a file PCM; drain resolves after aplay has written it all; a second burst runs a new aplay', async () => {
    const { backend } = setup('rpi-4b');
    const out = join(scratch('audio'), 'out.raw');
    const a = backend.audioOut({ sampleRate: 16000, channels: 1, bitsPerSample: 16, device: `file:${out},raw` });
    const s = ramp(1000);
    a.write(s.subarray(0, 400));
    a.write(s.subarray(400));
    await a.drain();
    const bytes = readFileSync(out);
    assert.deepEqual(new Uint8Array(bytes.subarray(0, 2000)), new Uint8Array(s.buffer));
    a.write(ramp(160));
    await a.drain();
    a.close();
    a.close();
    assert.throws(() => a.write(ramp(2)), is(IoError, 'closed'));
  });
  it('plays to the null PCM, stereo frames checked', async () => {
    const { backend } = setup('rpi-5');
    const a = backend.audioOut({ sampleRate: 48000, channels: 2, bitsPerSample: 16, device: 'null' });
    assert.throws(() => a.write(ramp(3)), RangeError);
    a.write(ramp(4800));
    await a.drain();
    a.close();
  });
  it('a device ALSA does not know rejects drain and latches the fault', async () => {
    const faults: IoError[] = [];
    const { backend } = setup('rpi-4b', { onFault: (e) => faults.push(e) });
    const a = backend.audioOut({ sampleRate: 16000, channels: 1, bitsPerSample: 16, device: 'fazt_no_such_pcm' });
    a.write(ramp(100));
    await assert.rejects(a.drain(), is(IoError, 'absent', /aplay on fazt_no_such_pcm: .*audio open error/));
    assert.equal(faults.length, 1);
    assert.throws(() => a.write(ramp(2)), is(IoError, 'absent'));
    a.close();
  });
  it('records from a file PCM (ALSA file plugin with an infile, via ~/.asoundrc) in whole frames', async () => {
    const home = scratch('home');
    const infile = join(home, 'in.raw');
    writeFileSync(infile, Buffer.from(ramp(2000).buffer));
    writeFileSync(join(home, '.asoundrc'), `pcm.faztin {\n type file\n slave.pcm null\n file "/dev/null"\n infile "${infile}"\n format "raw"\n}\n`);
    const got: number[] = [];
    const { backend } = setup('rpi-4b');
    const rec = backend.audioIn({ sampleRate: 16000, channels: 2, bitsPerSample: 16, device: 'faztin', onSamples: (s) => got.push(...s) });
    const savedHome = process.env.HOME;
    process.env.HOME = home; // arecord reads ~/.asoundrc; the child takes the environment at spawn
    try {
      rec.start();
    } finally {
      process.env.HOME = savedHome;
    }
    await until(() => got.length >= 2000, '2000 samples', CHILD_BOUND_MS);
    rec.stop();
    rec.close();
    assert.equal(got.length % 2, 0);
    assert.deepEqual(got.slice(0, 2000), [...ramp(2000)]);
  });
  it('arecord on an unknown device is a fault, thrown from the next start()', async () => {
    const faults: IoError[] = [];
    const { backend } = setup('rpi-4b', { onFault: (e) => faults.push(e) });
    const rec = backend.audioIn({ sampleRate: 16000, channels: 1, bitsPerSample: 16, device: 'fazt_no_such_pcm', onSamples: () => undefined });
    rec.start();
    await until(() => faults.length === 1, 'the fault', CHILD_BOUND_MS);
    assert.throws(() => rec.start(), is(IoError, 'absent', /arecord on fazt_no_such_pcm/));
    rec.close();
  });
});

const bleSkip = bluezMockSkip();

describe('BLE scanner over node-ble (no Bluetooth adapter here)', { skip: !installed('node-ble') && 'node-ble is not installed here' }, () => {
  it('no system bus to reach: a fault, not a crash or a hang', async () => {
    const faults: IoError[] = [];
    const { backend } = setup('rpi-5', { onFault: (e) => faults.push(e) });
    const saved = process.env.DBUS_SYSTEM_BUS_ADDRESS;
    process.env.DBUS_SYSTEM_BUS_ADDRESS = `unix:path=${join(tmp, 'no-such-bus')}`;
    const s = backend.bleScanner({ onAdvertisement: () => undefined });
    try {
      s.start();
    } finally {
      if (saved === undefined) delete process.env.DBUS_SYSTEM_BUS_ADDRESS;
      else process.env.DBUS_SYSTEM_BUS_ADDRESS = saved;
    }
    await until(() => faults.length === 1, 'the fault', CHILD_BOUND_MS);
    assert.match(faults[0].message, /cannot reach BlueZ on the system D-Bus \(ENOENT\)/);
    assert.throws(() => s.start(), is(IoError, 'absent'));
    s.close();
  });
});

const mockBluez = () => mockBluezFor(CHILD_BOUND_MS);

describe('BLE scanner against BlueZ mocked by python3-dbusmock on a private system bus', { skip: bleSkip }, () => {
  const DEV = '/org/bluez/hci0/dev_AA_BB_CC_DD_EE_01';
  // Properties.Set for the dicts (this dbusmock's UpdateProperties cannot re-wrap a Dictionary), then the RSSI.
  const update = (rssi: number) =>
    `p = dbus.Interface(bus.get_object('org.bluez', '${DEV}'), 'org.freedesktop.DBus.Properties')\n` +
    `p.Set('org.bluez.Device1', 'ManufacturerData', dbus.Dictionary({dbus.UInt16(0x004c): dbus.Array([2, 21], signature='y')}, signature='qv'))\n` +
    `p.Set('org.bluez.Device1', 'ServiceData', dbus.Dictionary({'0000feaa-0000-1000-8000-00805f9b34fb': dbus.Array([16, 32], signature='y')}, signature='sv'))\n` +
    `p.Set('org.bluez.Device1', 'RSSI', dbus.Int16(${rssi}))`;
  const discovering = (send: (...a: string[]) => string) =>
    /boolean true/.test(send('--dest=org.bluez', '/org/bluez/hci0', 'org.freedesktop.DBus.Properties.Get', 'string:org.bluez.Adapter1', 'string:Discovering'));

  it('starts discovery, reports the device from its properties, repeats on change, stops discovery', async () => {
    const bz = await mockBluez();
    const saved = process.env.DBUS_SYSTEM_BUS_ADDRESS;
    process.env.DBUS_SYSTEM_BUS_ADDRESS = bz.env.DBUS_SYSTEM_BUS_ADDRESS;
    const scanners: { close(): void }[] = [];
    try {
      bz.send('--dest=org.bluez', '/', 'org.bluez.Mock.AddAdapter', 'string:hci0', 'string:fazt-hub');
      const seen: Advertisement[] = [];
      const { backend } = setup('rpi-5', { blePollMs: 50 });
      const s = backend.bleScanner({ onAdvertisement: (a) => seen.push(a) });
      scanners.push(s);
      s.start();
      await until(() => discovering(bz.send), 'Discovering on hci0', CHILD_BOUND_MS);
      bz.send('--dest=org.bluez', '/', 'org.bluez.Mock.AddDevice', 'string:hci0', 'string:AA:BB:CC:DD:EE:01', 'string:SensorTag');
      bz.py(update(-42));
      await until(() => seen.some((a) => a.rssi === -42 && a.manufacturerData !== undefined), 'the advertisement', CHILD_BOUND_MS);
      const adv = seen.find((a) => a.rssi === -42 && a.manufacturerData)!;
      assert.deepEqual(adv, {
        address: 'AA:BB:CC:DD:EE:01',
        rssi: -42,
        name: 'SensorTag',
        manufacturerData: { 76: Uint8Array.of(2, 21) },
        serviceData: { '0000feaa-0000-1000-8000-00805f9b34fb': Uint8Array.of(16, 32) },
      });
      bz.py(update(-60));
      await until(() => seen.some((a) => a.rssi === -60), 'the repeat with a new RSSI', CHILD_BOUND_MS);
      s.stop();
      await until(() => !discovering(bz.send), 'discovery stopped', CHILD_BOUND_MS);

      const once: Advertisement[] = [];
      const s2 = backend.bleScanner({ onAdvertisement: (a) => once.push(a), duplicates: false });
      scanners.push(s2);
      s2.start();
      await until(() => once.length === 1, 'the first report', CHILD_BOUND_MS);
      bz.py(update(-70));
      await new Promise((r) => setTimeout(r, 300));
      assert.equal(once.length, 1);
      s2.close();
      await until(() => !discovering(bz.send), 'discovery stopped by close', CHILD_BOUND_MS);
    } finally {
      for (const s of scanners) s.close();
      if (saved === undefined) delete process.env.DBUS_SYSTEM_BUS_ADDRESS;
      else process.env.DBUS_SYSTEM_BUS_ADDRESS = saved;
      bz.stop();
    }
  });
});
