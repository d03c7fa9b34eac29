import type { SerialOptions, SerialPort } from '../contracts/serial.js';

/** The far end of a simulated serial line: what a computer on the USB cable sees. */
export interface SerialPeer {
  /** Sends bytes to the board. */
  write(bytes: Uint8Array): void;
  /** Every byte the board wrote, in order. */
  readonly received: Uint8Array[];
  onBytes: ((bytes: Uint8Array) => void) | undefined;
}

/**
 * A serial cable in memory: `open` is the board's port (the SerialPort
 * contract), `peer` the computer's end. Bytes cross at once, in the chunks
 * they were written in; writing to a closed port throws.
 */
export function serialPair(): { open: (o: SerialOptions) => SerialPort; peer: SerialPeer } {
  let board: SerialOptions | undefined;
  const peer: SerialPeer = {
    received: [],
    onBytes: undefined,
    write(bytes) {
      board?.onBytes(bytes.slice());
    },
  };
  const open = (o: SerialOptions): SerialPort => {
    if (board) throw new Error('serial port already open');
    board = o;
    let closed = false;
    return {
      write(bytes) {
        if (closed) throw new Error('serial port closed');
        const copy = bytes.slice();
        peer.received.push(copy);
        peer.onBytes?.(copy);
      },
      close() {
        closed = true;
        board = undefined;
      },
    };
  };
  return { open, peer };
}
