/**
 * A serial port (UART or USB-CDC) in the ECMA-419 manner (§10.4 Serial):
 * bytes go out with write; bytes that arrive are handed to onBytes in
 * whatever chunks the port delivers them.
 */
export interface SerialOptions {
  baud: number;
  /** The UART (default 0: the console's, as Improv and ESPHome use it). */
  port?: number;
  onBytes: (bytes: Uint8Array) => void;
}

export interface SerialPort {
  write(bytes: Uint8Array): void;
  close(): void;
}
