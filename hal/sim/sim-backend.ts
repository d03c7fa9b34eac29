import type { PinClaims } from '../board/pin-claims.js';
import { IoError } from '../contracts/errors.js';
import type {
  AudioIn,
  AudioInOptions,
  AudioOut,
  AudioOutOptions,
  BleScanner,
  BleScannerOptions,
  Digital,
  DigitalOptions,
  HalBackend,
  I2C,
  I2cOptions,
  PWM,
  PwmOptions,
  UDP,
  UdpOptions,
} from '../contracts/io.js';
import { batteryFromAdc } from '../contracts/battery.js';
import { UNKNOWN_HEALTH } from '../contracts/health.js';
import { checkInt, checkObject } from '../contracts/check-options.js';
import { checkUdpOptions } from '../contracts/check-udp-options.js';
import { SimAudioIn, SimAudioOut } from './sim-audio.js';
import { SimBleScanner } from './sim-ble.js';
import { SimDigital } from './sim-digital.js';
import { SimI2C } from './sim-i2c.js';
import type { SimWorldPorts } from './sim-ports.js';
import { SimPwm } from './sim-pwm.js';

/**
 * The sim backend: the HAL contracts over the simulator's ports. Every open
 * claims its pins first (the board's rules, the same as on hardware) and
 * releases them on close. UDP sockets open on the board's network port (the
 * simulator's real network); a board without one refuses with 'unsupported'.
 */
export function createSimBackend(claims: PinClaims, ports: SimWorldPorts): HalBackend {
  const boardId = claims.board.id;
  const withClaim = <T extends { close(): void }>(release: () => void, open: () => T): T => {
    let io: T;
    try {
      io = open();
    } catch (e) {
      release();
      throw e;
    }
    const close = io.close.bind(io);
    io.close = () => {
      close();
      release();
    };
    return io;
  };
  return {
    name: 'sim',
    digital(options: DigitalOptions): Digital {
      checkObject('options', options);
      checkInt('pin', options.pin, 0, 63);
      const use = options.mode === 'output' || options.mode === 'output-opendrain' ? 'digital-out' : 'digital-in';
      const claim = claims.claim(options.pin, use, { owner: `digital ${options.mode}`, allowStrapping: options.allowStrapping });
      return withClaim(claim.release, () => new SimDigital(ports.pins, options));
    },
    i2c(options: I2cOptions): I2C {
      checkObject('options', options);
      checkInt('address', options.address, 0x08, 0x77);
      if (options.hz !== undefined) checkInt('hz', options.hz, 1000, 1_000_000);
      const claim = claims.claimI2c({ sda: options.data, scl: options.clock }, { owner: `i2c 0x${options.address.toString(16)}` });
      return new SimI2C(ports.i2c(claim.sda, claim.scl), options.address, claim.release);
    },
    pwm(options: PwmOptions): PWM {
      checkObject('options', options);
      checkInt('pin', options.pin, 0, 63);
      const claim = claims.claim(options.pin, 'pwm', { owner: 'pwm', allowStrapping: options.allowStrapping });
      return withClaim(claim.release, () => new SimPwm(ports.pins, options));
    },
    audioOut(options: AudioOutOptions): AudioOut {
      return new SimAudioOut(ports.audio, options, boardId);
    },
    audioIn(options: AudioInOptions): AudioIn {
      return new SimAudioIn(ports.audio, options, boardId);
    },
    bleScanner(options: BleScannerOptions): BleScanner {
      return new SimBleScanner(ports.ble, options, boardId);
    },
    udp(options: UdpOptions): UDP {
      checkUdpOptions(options);
      if (!ports.udp) throw new IoError('unsupported', 'this simulated board has no network');
      return ports.udp(options);
    },
    health: () => ports.health ?? { read: () => UNKNOWN_HEALTH },
    ...batteryOf(claims, ports),
  };
}

/** ESP32 ADC samples are 12 bits. */
const SIM_ADC_BITS = 12;

/**
 * The battery as the board reads it: the simulator's voltage at the pin,
 * quantised to the ADC's 12 bits and clipped at its full scale, then
 * converted through the board's divider (the same arithmetic as the device).
 */
function batteryOf(claims: PinClaims, ports: SimWorldPorts): Pick<HalBackend, 'battery'> {
  const w = claims.board.battery;
  const pin = ports.batteryPin;
  if (!w || !pin) return {};
  const max = 2 ** SIM_ADC_BITS - 1;
  return {
    battery: () => ({
      read: () => batteryFromAdc(Math.round(Math.min(1, Math.max(0, pin.volts() / w.adcFullScaleVolts)) * max), SIM_ADC_BITS, w),
    }),
  };
}
