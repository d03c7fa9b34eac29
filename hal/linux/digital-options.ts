import { BoardError } from '../contracts/errors.js';
import type { Board } from '../board/board.js';
import { findPin } from '../board/pin-rules.js';
import { checkFunction, checkInt, checkObject, checkOneOf } from '../contracts/check-options.js';
import type { DigitalMode, DigitalOptions, Edge } from '../contracts/io.js';

export interface CheckedDigital {
  pin: number;
  mode: DigitalMode;
  output: boolean;
  edge: Edge | undefined;
  onReadable: (() => void) | undefined;
  allowStrapping: boolean;
}

const MODES: readonly DigitalMode[] = ['input', 'input-pullup', 'input-pulldown', 'output', 'output-opendrain'];
const EDGES: readonly Edge[] = ['rising', 'falling', 'both'];

/**
 * Digital options, checked before anything is claimed or loaded: TypeError or
 * RangeError naming the option (same ranges as the other backends). An edge
 * needs an input and an onReadable; onReadable alone watches both edges.
 */
export function checkDigitalOptions(options: DigitalOptions): CheckedDigital {
  checkObject('options', options);
  const pin = checkInt('pin', options.pin, 0, 63);
  const mode = checkOneOf('mode', options.mode, MODES);
  const output = mode === 'output' || mode === 'output-opendrain';
  let edge = options.edge === undefined ? undefined : checkOneOf('edge', options.edge, EDGES);
  const onReadable = options.onReadable === undefined ? undefined : (checkFunction('onReadable', options.onReadable) as () => void);
  if (edge !== undefined && onReadable === undefined) throw new TypeError('onReadable must be a function when edge is set');
  if (onReadable !== undefined && output) throw new RangeError(`onReadable needs an input mode, got ${mode}`);
  if (onReadable !== undefined && edge === undefined) edge = 'both';
  return { pin, mode, output, edge, onReadable, allowStrapping: options.allowStrapping === true };
}

/** A pull the pin cannot make is refused like any other capability the board lacks. */
export function checkPull(board: Board, pin: number, mode: DigitalMode): void {
  const cap = mode === 'input-pullup' ? 'pull-up' : mode === 'input-pulldown' ? 'pull-down' : undefined;
  if (cap && findPin(board, pin)?.caps.indexOf(cap) === -1) throw new BoardError('capability', `${board.id}: GPIO ${pin} has no ${cap}`);
}
