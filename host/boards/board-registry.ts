import { BoardError } from '../../hal/contracts/errors.js';
import type { Board } from '../../hal/board/board.js';
import { listShippedDir, readShippedFile, shippedFileName } from '../assets/shipped-files.js';
import { validateOnHost } from '../schema/host-validators.js';

/**
 * The boards in boards/*.json, each validated against the board schema and a
 * few cross-checks a schema cannot express. A bad file fails loudly with its
 * name, before anything uses it.
 */
const BOARDS_DIR = 'boards';

function checkBoard(board: Board, file: string): void {
  const seen = new Set<number>();
  for (const p of board.pins) {
    if (seen.has(p.gpio)) throw new BoardError('unknown-board', `${file}: GPIO ${p.gpio} listed twice`);
    seen.add(p.gpio);
    if (p.inputOnly && (p.caps.includes('digital-out') || p.caps.includes('pwm')))
      throw new BoardError('unknown-board', `${file}: input-only GPIO ${p.gpio} claims an output capability`);
  }
  for (const b of board.i2c.buses) {
    for (const g of [b.sda, b.scl]) if (!seen.has(g)) throw new BoardError('unknown-board', `${file}: I2C bus ${b.id} uses GPIO ${g}, which is not listed`);
  }
  if (board.i2c.buses.filter((b) => b.default).length !== 1) throw new BoardError('unknown-board', `${file}: exactly one I2C bus must be the default`);
}

function loadBoard(rel: string): Board {
  const file = shippedFileName(rel);
  let doc: unknown;
  try {
    doc = JSON.parse(readShippedFile(rel).toString('utf8'));
  } catch (e) {
    throw new BoardError('unknown-board', `${file}: ${(e as Error).message}`);
  }
  validateOnHost('board', doc);
  const board = doc as Board;
  checkBoard(board, file);
  return board;
}

let cache: Map<string, Board> | undefined;

export function loadBoards(): Map<string, Board> {
  if (cache) return cache;
  const out = new Map<string, Board>();
  for (const f of listShippedDir(BOARDS_DIR).filter((f) => f.endsWith('.json'))) {
    const b = loadBoard(`${BOARDS_DIR}/${f}`);
    if (`${b.id}.json` !== f) throw new BoardError('unknown-board', `${f}: file name must be its id (${b.id}.json)`);
    out.set(b.id, b);
  }
  return (cache = out);
}

export function getBoard(id: string): Board {
  const b = loadBoards().get(id);
  if (!b) throw new BoardError('unknown-board', `no board '${id}'; known: ${[...loadBoards().keys()].join(', ')}`);
  return b;
}
