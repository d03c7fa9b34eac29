import { readFileSync, writeFileSync } from 'node:fs';
import { basename } from 'node:path';
import { decodeCbor } from '../../firmware/codec/cbor-decode.js';
import { encodeCbor } from '../../firmware/codec/cbor-encode.js';
import { parseJson, stringifyJson } from '../../firmware/codec/json-form.js';
import { fromHex } from '../../firmware/codec/text-encodings.js';
import { isValueMap, type Value } from '../../firmware/codec/value.js';
import { UsageError, type CommandContext } from '../cli/command.js';
import { batchNote, chirpBatch } from './chirp-batch.js';
import { isSealed, open, seal } from './seal.js';

/**
 * What `fazt chirp` reads and writes: the payload to send (text, a file, a
 * JSON document; sealed for a recipient on request) and what to do with a
 * received one (print text, save a file, print the JSON form; open a
 * sealed box with a key file).
 */
type Values = CommandContext['values'];

/** A key file from `fazt keygen -o` ({"publicKey": hex, "secretKey": {"$bytes": …}}), or a 64-digit hex public key. */
function readKey(arg: string, which: 'publicKey' | 'secretKey'): Uint8Array {
  if (which === 'publicKey' && /^[0-9a-f]{64}$/i.test(arg)) return fromHex(arg.toLowerCase());
  let doc: Value;
  try {
    doc = parseJson(readFileSync(arg, 'utf8'));
  } catch (e) {
    throw new UsageError(`${arg}: not a key file from 'fazt keygen -o' (${(e as Error).message.split('\n')[0]})`);
  }
  const v = isValueMap(doc) ? doc[which] : undefined;
  const key = typeof v === 'string' && /^[0-9a-f]{64}$/i.test(v) ? fromHex(v.toLowerCase()) : v;
  if (!(key instanceof Uint8Array) || key.length !== 32) throw new UsageError(`${arg} holds no 32-byte ${which}`);
  return key;
}

/**
 * The value to send: text, --file, --json or --batch (exactly one); sealed
 * with --seal-to, signed too with --sign-key. `note` hears a line about a
 * batch (its entries and sizes).
 */
export function payloadOf({ values, positionals }: CommandContext, note: (line: string) => void = () => undefined): Value {
  const kinds = [positionals.length > 0, typeof values.file === 'string', typeof values.json === 'string', typeof values.batch === 'string'];
  if (kinds.filter(Boolean).length !== 1) throw new UsageError('give exactly one of: text, --file F, --json DOC, --batch FILE');
  let value: Value;
  if (typeof values.file === 'string') value = { file: basename(values.file), data: new Uint8Array(readFileSync(values.file)) };
  else if (typeof values.json === 'string') value = parseJson(values.json);
  else if (typeof values.batch === 'string') {
    const b = chirpBatch(values.batch, readFile(values.batch));
    note(batchNote(b));
    value = b.value;
  } else value = positionals.join(' ');
  if (typeof values['seal-to'] !== 'string') {
    if (values['sign-key'] !== undefined) throw new UsageError('--sign-key signs a sealed box: give --seal-to too');
    return value;
  }
  const signWith = typeof values['sign-key'] === 'string' ? readKey(values['sign-key'], 'secretKey') : undefined;
  return seal(encodeCbor(value), readKey(values['seal-to'], 'publicKey'), { signWith });
}

function readFile(file: string): Uint8Array {
  try {
    return new Uint8Array(readFileSync(file));
  } catch (e) {
    throw new UsageError(`cannot read ${file}: ${(e as Error).message.split('\n')[0]}`);
  }
}

/** A received message's bytes, opened with --key when it is a sealed box (saying by whom it was signed). */
export function openedBytes(received: Uint8Array, values: Values, err: (t: string) => void): Uint8Array {
  const box = decodeCbor(received);
  if (!isSealed(box)) return received;
  if (typeof values.key !== 'string') throw new UsageError("the chirp is sealed: give --key key.json (the recipient's key file) to open it");
  const opened = open(box, readKey(values.key, 'secretKey'));
  err(
    opened.from
      ? `opened a box sealed and signed by ${Buffer.from(opened.from).toString('hex')}\n`
      : 'opened a sealed box (unsigned: the sender is not known)\n',
  );
  return opened.plaintext;
}

/** Writes or prints a received message: text as text, a file's bytes to -o, anything else in its JSON form; opens a sealed box with --key. */
export function deliver(received: Uint8Array, values: Values, out: (t: string) => void, err: (t: string) => void): void {
  const value = decodeCbor(openedBytes(received, values, err));
  const to = typeof values.out === 'string' ? values.out : undefined;
  const json = stringifyJson(value) + '\n';
  if (values.json) {
    if (to) writeFileSync(to, json);
    else out(json);
    return;
  }
  if (isValueMap(value) && typeof value.file === 'string' && value.data instanceof Uint8Array) {
    if (!to) throw new UsageError(`the chirp carries the file '${value.file}' (${value.data.length} bytes): give -o FILE to save it`);
    writeFileSync(to, value.data);
    return;
  }
  const text = typeof value === 'string' ? value : json;
  if (to) writeFileSync(to, text);
  else out(text.endsWith('\n') ? text : text + '\n');
}

export function parseSeconds(text: string, what: string): number {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m)?$/.exec(text.trim());
  if (!m) throw new UsageError(`${what} '${text}' is not a duration like 30s, 2m or 500ms`);
  const v = Number(m[1]) * (m[2] === 'ms' ? 0.001 : m[2] === 'm' ? 60 : 1);
  if (!(v > 0 && v <= 3600)) throw new UsageError(`${what} must be from 1ms to 1h`);
  return v;
}

/** A progress line: redrawn with \r on a terminal, else printed at most every 5 s. */
export function progressLine(tty: boolean, err: (t: string) => void, now: () => number = Date.now): { show: (text: string) => void; done: () => void } {
  let last = -Infinity;
  let shown = false;
  return {
    show: (text) => {
      if (tty) {
        err(`\r${text}\x1b[K`);
        shown = true;
      } else if (now() - last >= 5000) {
        err(text + '\n');
        last = now();
      }
    },
    done: () => {
      if (shown) err('\n');
    },
  };
}

export function bar(fraction: number, width = 20): string {
  const n = Math.max(0, Math.min(width, Math.round(fraction * width)));
  return `[${'#'.repeat(n)}${'.'.repeat(width - n)}]`;
}
