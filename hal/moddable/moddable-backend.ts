import type { HealthSource } from '../contracts/health.js';
import { FaztError, IoError } from '../contracts/errors.js';
import type { PinClaims } from '../board/pin-claims.js';
import { checkInt, checkObject, checkOneOf } from '../contracts/check-options.js';
import type { AudioIn, AudioOut, BleScanner, Digital, DigitalOptions, HalBackend, I2C, I2cOptions, PWM, PwmOptions, UDP, UdpOptions } from '../contracts/io.js';
import { openModdableUdp, type Ecma419UDPClass } from './moddable-udp.js';

/**
 * The Moddable backend: our contracts over the native ECMA-419 classes that
 * manifest.json maps in (embedded:io/digital, /i2c, /pwm, /socket/udp). The classes are
 * injected (hal/moddable/embedded-io-bindings.ts imports them in the device
 * build), so the mapping itself runs and is tested on Node and XS.
 *
 * What the mapping does: string modes → the classes' numeric constants; edges
 * → Rising/Falling bit flags; ArrayBuffer reads → Uint8Array; a native error
 * on an I2C transfer (Moddable throws on NACK) → IoError('nack'); every open
 * goes through the board's pin claims first; UDP is mapped in
 * moddable-udp.ts (no pins; without a UDP class, IoError('unsupported')).
 * Audio (Moddable's pins/audioout) and BLE (its BLE client modules) are not
 * ECMA-419 io classes and are not mapped: they throw IoError('unsupported').
 */
export interface Ecma419Digital {
  read(): 0 | 1;
  write(value: 0 | 1): void;
  close(): void;
}

interface Ecma419DigitalClass {
  readonly Input: number;
  readonly InputPullUp: number;
  readonly InputPullDown: number;
  readonly Output: number;
  readonly OutputOpenDrain: number;
  readonly Rising: number;
  readonly Falling: number;
  new (options: { pin: number; mode: number; edge?: number; onReadable?: () => void }): Ecma419Digital;
}

export interface Ecma419I2C {
  read(count: number, stop?: boolean): ArrayBuffer;
  write(buffer: ArrayBuffer | ArrayBufferView, stop?: boolean): void;
  close(): void;
}

interface Ecma419I2CClass {
  new (options: { data: number; clock: number; hz: number; address: number }): Ecma419I2C;
}

export interface Ecma419PWM {
  write(value: number): void;
  close(): void;
}

interface Ecma419PWMClass {
  new (options: { pin: number; hz?: number; resolution?: number }): Ecma419PWM;
}

export interface Ecma419Classes {
  Digital: Ecma419DigitalClass;
  I2C: Ecma419I2CClass;
  PWM: Ecma419PWMClass;
  /** embedded:io/socket/udp; absent where the build has no network. */
  UDP?: Ecma419UDPClass;
}

const MODES = ['input', 'input-pullup', 'input-pulldown', 'output', 'output-opendrain'] as const;

/** Runs a native call, turning its failure into an IoError with the native message as cause. */
function callNative<T>(what: string, f: () => T): T {
  try {
    return f();
  } catch (e) {
    if (e instanceof FaztError || e instanceof TypeError || e instanceof RangeError) throw e;
    throw new IoError('nack', `${what}: ${(e as Error).message}`, { cause: e });
  }
}

function closable<T extends object>(io: T & { close(): void }, release: () => void): { closed: () => boolean; close: () => void } {
  let closed = false;
  return {
    closed: () => closed,
    close: () => {
      if (closed) return;
      closed = true;
      io.close();
      release();
    },
  };
}

export function createModdableBackend(claims: PinClaims, classes: Ecma419Classes, health?: HealthSource): HalBackend {
  const { Digital: D, I2C: N, PWM: P } = classes;
  const unsupported = (what: string): never => {
    throw new IoError('unsupported', `${what} is not mapped in the Moddable backend (not an ECMA-419 io class)`);
  };
  return {
    name: 'moddable',
    ...(health && { health: () => health }),
    digital(options: DigitalOptions): Digital {
      checkObject('options', options);
      const pin = checkInt('pin', options.pin, 0, 63);
      const mode = checkOneOf('mode', options.mode, MODES);
      const out = mode === 'output' || mode === 'output-opendrain';
      const claim = claims.claim(pin, out ? 'digital-out' : 'digital-in', { owner: `digital ${mode}`, allowStrapping: options.allowStrapping });
      const numeric = {
        input: D.Input,
        'input-pullup': D.InputPullUp,
        'input-pulldown': D.InputPullDown,
        output: D.Output,
        'output-opendrain': D.OutputOpenDrain,
      }[mode];
      const edge = options.edge === undefined ? undefined : checkOneOf('edge', options.edge, ['rising', 'falling', 'both'] as const);
      const edgeBits = edge === undefined ? undefined : edge === 'rising' ? D.Rising : edge === 'falling' ? D.Falling : D.Rising | D.Falling;
      const onReadable = options.onReadable;
      let io: Ecma419Digital;
      try {
        io = callNative(`digital pin ${pin}`, () => new D({ pin, mode: numeric, edge: edgeBits, onReadable: onReadable ? () => onReadable() : undefined }));
      } catch (e) {
        claim.release();
        throw e;
      }
      const life = closable(io, claim.release);
      const live = () => {
        if (life.closed()) throw new IoError('closed', `digital pin ${pin} used after close`);
      };
      return {
        read: () => (live(), io.read()),
        write: (v) => {
          live();
          if (!out) throw new TypeError(`digital pin ${pin} is an input (mode ${mode}); write needs an output mode`);
          io.write(v);
        },
        close: life.close,
      };
    },
    i2c(options: I2cOptions): I2C {
      checkObject('options', options);
      const address = checkInt('address', options.address, 0x08, 0x77);
      const hz = options.hz === undefined ? 100_000 : checkInt('hz', options.hz, 1000, 1_000_000);
      const claim = claims.claimI2c({ sda: options.data, scl: options.clock }, { owner: `i2c 0x${address.toString(16)}` });
      let io: Ecma419I2C;
      try {
        io = callNative(`I2C 0x${address.toString(16)}`, () => new N({ data: claim.sda, clock: claim.scl, hz, address }));
      } catch (e) {
        claim.release();
        throw e;
      }
      const life = closable(io, claim.release);
      const live = () => {
        if (life.closed()) throw new IoError('closed', `I2C 0x${address.toString(16)} used after close`);
      };
      const what = `I2C 0x${address.toString(16)}`;
      return {
        address,
        read: (count, stop) => (live(), new Uint8Array(callNative(what, () => io.read(checkInt('count', count, 1, 4096), stop)))),
        write: (bytes, stop) => (live(), callNative(what, () => io.write(bytes, stop))),
        writeRead: (bytes, count) => {
          live();
          callNative(what, () => io.write(bytes, false));
          return new Uint8Array(callNative(what, () => io.read(checkInt('count', count, 1, 4096))));
        },
        close: life.close,
      };
    },
    pwm(options: PwmOptions): PWM {
      checkObject('options', options);
      const pin = checkInt('pin', options.pin, 0, 63);
      const hz = checkInt('hz', options.hz, 1, 40_000_000);
      const resolution = options.resolution === undefined ? 10 : checkInt('resolution', options.resolution, 1, 20);
      const claim = claims.claim(pin, 'pwm', { owner: 'pwm', allowStrapping: options.allowStrapping });
      let io: Ecma419PWM;
      try {
        io = callNative(`PWM pin ${pin}`, () => new P({ pin, hz, resolution }));
      } catch (e) {
        claim.release();
        throw e;
      }
      const life = closable(io, claim.release);
      return {
        hz,
        resolution,
        write: (duty) => {
          if (life.closed()) throw new IoError('closed', `PWM pin ${pin} used after close`);
          io.write(checkInt('duty', duty, 0, (1 << resolution) - 1));
        },
        close: life.close,
      };
    },
    udp: (options: UdpOptions): UDP => openModdableUdp(classes.UDP, options),
    audioOut: (): AudioOut => unsupported('audio out'),
    audioIn: (): AudioIn => unsupported('audio in'),
    bleScanner: (): BleScanner => unsupported('BLE scanning'),
  };
}
