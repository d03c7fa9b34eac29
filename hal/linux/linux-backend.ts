import { LinuxHealth } from './linux-health.js';
import { IoError } from '../contracts/errors.js';
import type { PinClaim } from '../board/pin-claims.js';
import { checkFunction, checkInt, checkObject } from '../contracts/check-options.js';
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
import { checkAudioOptions } from './alsa-format.js';
import { checkDigitalOptions, checkPull } from './digital-options.js';
import { GpiodTools } from './gpiod-tools.js';
import { ArecordIn } from './linux-audio-in.js';
import { AplayOut } from './linux-audio-out.js';
import { LinuxBleScanner } from './linux-ble.js';
import type { LinuxBackendOptions, LinuxContext } from './linux-context.js';
import { GpiodDigital } from './linux-digital-gpiod.js';
import { PigpioDigital } from './linux-digital-pigpio.js';
import { openLinuxI2c } from './linux-i2c-open.js';
import { PigpioPwm } from './linux-pwm-pigpio.js';
import { findRp1PwmChip, SysfsPwm } from './linux-pwm-sysfs.js';
import { LinuxUdp } from './linux-udp.js';
import { loadNative, requireLoader } from './load-native.js';
import type { NodeBleModule } from './native-types.js';
import { PigpioLoader } from './pigpio-loader.js';
import { BCM_PWM0_CHANNELS, PwmChannels, RP1_PWM0_CHANNELS } from './pwm-channels.js';

function looksLikeNodeBle(m: unknown): m is NodeBleModule {
  return typeof (m as { createBluetooth?: unknown } | null)?.createBluetooth === 'function';
}

/** Runs `open` with a claim held; a failure releases the claim before it propagates. */
function withClaim<T>(claim: { release(): void }, open: () => T): T {
  try {
    return open();
  } catch (e) {
    claim.release();
    throw e;
  }
}

/**
 * The linux backend for Raspberry Pi hubs (and any Linux board with the
 * same files). Chosen per board by its data: gpio.backend "pigpio"
 * (BCM2835–BCM2711: Pi 4, Zero 2 W) drives Digital and PWM through pigpio;
 * "gpiod" (Pi 5, RP1) drives Digital through libgpiod's tools and PWM
 * through sysfs. I2C goes through i2c-bus on /dev/i2c-N, BLE through
 * node-ble (BlueZ over D-Bus), audio through aplay/arecord, UDP through
 * node:dgram on the host's network (faults between calls go to onFault).
 *
 * Every open checks its options, then claims its pins through PinClaims,
 * then loads what it needs (nothing loads before), then touches hardware;
 * a failure after the claim releases it, and close() releases it.
 */
export function createLinuxBackend(options: LinuxBackendOptions): HalBackend {
  checkObject('options', options);
  const { board, claims } = options;
  if (board.runtime !== 'node' || (board.gpio.backend !== 'pigpio' && board.gpio.backend !== 'gpiod')) {
    throw new IoError('unsupported', `the linux backend drives pigpio or gpiod boards; ${board.id} is a ${board.gpio.backend} board`);
  }
  if (options.onFault !== undefined) checkFunction('onFault', options.onFault);
  const ctx: LinuxContext = {
    board,
    claims,
    loader: options.loader ?? requireLoader(),
    devDir: options.devDir ?? '/dev',
    deviceTreeDir: options.deviceTreeDir ?? '/proc/device-tree',
    pwmSysDir: options.pwmSysDir ?? '/sys/class/pwm',
    gpiodBinDir: options.gpiodBinDir,
    aplay: options.aplay ?? 'aplay',
    arecord: options.arecord ?? 'arecord',
    bleAdapter: options.bleAdapter,
    blePollMs: options.blePollMs === undefined ? 1000 : checkInt('blePollMs', options.blePollMs, 10, 60_000),
    onFault: options.onFault,
  };
  const pigpio = board.gpio.backend === 'pigpio';
  const pigpioLoader = new PigpioLoader(ctx.loader, board.id, ctx.deviceTreeDir);
  const gpiod = new GpiodTools(ctx.gpiodBinDir);
  const pwmChannels = new PwmChannels(board.id, pigpio ? BCM_PWM0_CHANNELS : RP1_PWM0_CHANNELS);
  let nodeBle: NodeBleModule | undefined;

  const chipLabel = (): string => {
    if (!board.gpio.chip) throw new IoError('unsupported', `${board.id}: the board names no gpio.chip label for gpiod`);
    return board.gpio.chip;
  };

  let health: LinuxHealth | undefined;
  return {
    name: 'linux',

    health(): LinuxHealth {
      health ??= new LinuxHealth({ procDir: options.procDir });
      return health;
    },

    digital(o: DigitalOptions): Digital {
      const d = checkDigitalOptions(o);
      checkPull(board, d.pin, d.mode);
      const claim: PinClaim = claims.claim(d.pin, d.output ? 'digital-out' : 'digital-in', { owner: `digital ${d.mode}`, allowStrapping: d.allowStrapping });
      return withClaim(claim, () =>
        pigpio ? new PigpioDigital(pigpioLoader.load('GPIO'), d, claim.release) : new GpiodDigital(gpiod, chipLabel(), d, ctx.onFault, claim.release),
      );
    },

    i2c(o: I2cOptions): I2C {
      checkObject('options', o);
      const address = checkInt('address', o.address, 0x08, 0x77);
      if (o.hz !== undefined) checkInt('hz', o.hz, 1000, 1_000_000);
      return openLinuxI2c(ctx, { sda: o.data, scl: o.clock }, address);
    },

    pwm(o: PwmOptions): PWM {
      checkObject('options', o);
      const pin = checkInt('pin', o.pin, 0, 63);
      const hz = checkInt('hz', o.hz, 1, 40_000_000);
      const resolution = o.resolution === undefined ? 10 : checkInt('resolution', o.resolution, 1, 20);
      const claim = claims.claim(pin, 'pwm', { owner: 'pwm', allowStrapping: o.allowStrapping === true });
      return withClaim(claim, () => {
        const channel = pwmChannels.take(pin);
        const release = () => {
          channel.release();
          claim.release();
        };
        return withClaim(channel, () =>
          pigpio
            ? new PigpioPwm(pigpioLoader.load('PWM'), pin, hz, resolution, release)
            : new SysfsPwm(findRp1PwmChip(ctx.pwmSysDir), channel.channel, pin, hz, resolution, release),
        );
      });
    },

    audioOut(o: AudioOutOptions): AudioOut {
      const { format, device } = checkAudioOptions(o);
      return new AplayOut(ctx.aplay, format, device, ctx.onFault);
    },

    audioIn(o: AudioInOptions): AudioIn {
      const { format, device } = checkAudioOptions(o);
      const onSamples = checkFunction('onSamples', o.onSamples) as (s: Int16Array) => void;
      return new ArecordIn(ctx.arecord, format, device, onSamples, ctx.onFault);
    },

    bleScanner(o: BleScannerOptions): BleScanner {
      checkObject('options', o);
      const onAdvertisement = checkFunction('onAdvertisement', o.onAdvertisement) as BleScannerOptions['onAdvertisement'];
      if (o.duplicates !== undefined && typeof o.duplicates !== 'boolean') throw new TypeError('duplicates must be a boolean');
      if (!board.radios.ble) throw new IoError('unsupported', `${board.id} has no Bluetooth LE radio`);
      nodeBle ??= loadNative(ctx.loader, 'node-ble', { boardId: board.id, purpose: 'BLE scanning' }, looksLikeNodeBle);
      return new LinuxBleScanner(nodeBle, { onAdvertisement, duplicates: o.duplicates !== false, adapter: ctx.bleAdapter, pollMs: ctx.blePollMs }, ctx.onFault);
    },

    udp(o: UdpOptions): UDP {
      return new LinuxUdp(o, { onError: ctx.onFault });
    },
  };
}
