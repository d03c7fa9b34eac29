/**
 * Runs inside XS (bundled with the firmware under test). Registers named
 * commands and serves them over handleCommand: request and reply are UTF-8
 * JSON, {cmd, args} → {ok} | {err: {name, code, message}}. Portable code: no
 * Node APIs, no TextEncoder (not every XS build has it).
 */
import { utf8Decode, utf8Encode } from '../../firmware/codec/utf8.js';

export type GuestCommand = (...args: never[]) => unknown;

/** xsnap's hooks on the global object: handleCommand (ours, called by the host), issueCommand (the host's). */
const xsnap = globalThis as unknown as {
  handleCommand?: (request: ArrayBuffer) => ArrayBuffer;
  issueCommand?: (request: ArrayBuffer) => ArrayBuffer;
};

export function serveCommands(commands: Record<string, GuestCommand>): void {
  xsnap.handleCommand = (request: ArrayBuffer): ArrayBuffer => {
    let reply: unknown;
    try {
      const { cmd, args } = JSON.parse(utf8Decode(new Uint8Array(request))) as { cmd: string; args: unknown[] };
      const fn = commands[cmd] as ((...a: unknown[]) => unknown) | undefined;
      if (!fn) throw new Error(`no such command '${cmd}'`);
      reply = { ok: fn(...(args ?? [])) };
    } catch (e) {
      const err = e as { name?: string; code?: string; message?: string };
      reply = { err: { name: err.name ?? 'Error', code: err.code ?? '', message: err.message ?? String(e) } };
    }
    const out = utf8Encode(JSON.stringify(reply));
    return out.buffer.slice(out.byteOffset, out.byteOffset + out.byteLength) as ArrayBuffer;
  };
}

/** Calls the host synchronously (the simulator's side of the bridge). */
export function callHost(request: unknown): unknown {
  if (!xsnap.issueCommand) throw new Error('issueCommand is not available: not running inside xsnap');
  const out = utf8Encode(JSON.stringify(request));
  const reply = xsnap.issueCommand(out.buffer.slice(out.byteOffset, out.byteOffset + out.byteLength) as ArrayBuffer);
  return JSON.parse(utf8Decode(new Uint8Array(reply)));
}
