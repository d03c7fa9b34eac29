/**
 * The few parts of the native packages' APIs that the linux backend uses,
 * declared here so `tsc -p tsconfig.json` passes whether or not the optional
 * packages are installed (they load at run time, by name, through
 * load-native.ts). Shapes follow the versions the backend was written
 * against: pigpio 3.3.1 (its pigpio.d.ts), i2c-bus 5.2.3 (its README; it
 * ships no types) and node-ble 1.13.0 (its src/index.d.ts).
 */

/** pigpio: `new Gpio(gpio, options)`; the C library runs in-process (root, pigpiod stopped). */
export interface PigpioGpio {
  mode(mode: number): PigpioGpio;
  pullUpDown(pud: number): PigpioGpio;
  digitalRead(): number;
  digitalWrite(level: number): PigpioGpio;
  /** frequency 0 (off) or 1..125 MHz (187.5 MHz on BCM2711); dutyCycle 0..1 000 000. */
  hardwarePwmWrite(frequency: number, dutyCycle: number): PigpioGpio;
  enableAlert(): PigpioGpio;
  disableAlert(): PigpioGpio;
  on(event: 'alert', listener: (level: 0 | 1, tick: number) => void): PigpioGpio;
  removeAllListeners(event?: 'alert'): PigpioGpio;
}

interface PigpioGpioClass {
  new (gpio: number, options?: { mode?: number; pullUpDown?: number; alert?: boolean }): PigpioGpio;
  readonly INPUT: number;
  readonly OUTPUT: number;
  readonly PUD_OFF: number;
  readonly PUD_DOWN: number;
  readonly PUD_UP: number;
}

export interface PigpioModule {
  Gpio: PigpioGpioClass;
}

/**
 * i2c-bus: `openSync(busNumber)` opens /dev/i2c-N lazily, one file descriptor
 * per peripheral address. Plain reads and writes each end with STOP;
 * readI2cBlockSync is SMBus "I2C block read": command byte, repeated start,
 * up to 32 bytes.
 */
export interface I2cBusSync {
  i2cReadSync(address: number, length: number, buffer: Buffer): number;
  i2cWriteSync(address: number, length: number, buffer: Buffer): number;
  readI2cBlockSync(address: number, command: number, length: number, buffer: Buffer): number;
  closeSync(): void;
}

export interface I2cBusModule {
  openSync(busNumber: number, options?: { forceAccess?: boolean }): I2cBusSync;
}

/** node-ble: BlueZ over D-Bus (dbus-next, system bus; DBUS_SYSTEM_BUS_ADDRESS is honoured). */
export interface NodeBleDevice {
  getAddress(): Promise<string>;
  getName(): Promise<string>;
  getRSSI(): Promise<number | string>;
  getManufacturerData(): Promise<Record<string, unknown>>;
  getServiceData(): Promise<Record<string, unknown>>;
  /**
   * node-ble's helper for the device's D-Bus object (not in its typings,
   * present in 1.13): props() is one GetAll of org.bluez.Device1, values
   * unwrapped from their variants except inside dicts.
   */
  helper?: { props(): Promise<Record<string, unknown>> };
}

export interface NodeBleAdapter {
  isDiscovering(): Promise<boolean>;
  startDiscovery(): Promise<void>;
  stopDiscovery(): Promise<void>;
  /** Addresses of the devices BlueZ holds under this adapter ("AA:BB:…"). */
  devices(): Promise<string[]>;
  getDevice(address: string): Promise<NodeBleDevice>;
}

export interface NodeBleBluetooth {
  /**
   * node-ble's dbus-next MessageBus (not in its typings, present in 1.13). It
   * emits 'error' when the system bus cannot be reached; unheard, that error
   * would end the process, and the pending calls would never settle.
   */
  dbus?: { on(event: 'error', listener: (error: Error) => void): unknown };
  adapters(): Promise<string[]>;
  defaultAdapter(): Promise<NodeBleAdapter>;
  getAdapter(name: string): Promise<NodeBleAdapter>;
}

export interface NodeBleModule {
  createBluetooth(): { bluetooth: NodeBleBluetooth; destroy(): void };
}
