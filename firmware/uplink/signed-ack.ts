import { encodeCbor } from '../codec/cbor-encode.js';
import { fromHex, toHex } from '../codec/text-encodings.js';
import { isValueMap, type Value, type ValueMap } from '../codec/value.js';
import type { CryptoProvider } from '../crypto/crypto-provider.js';
import { bytesEqual } from '../event/verify-chain.js';
import type { NodeIdentity } from '../identity/node-id.js';
import { isOtaAction, type OtaOffer, offerValue } from '../ota/ota-offer.js';
import type { CommandAction } from './command-action.js';
import { keyList } from './hub-keys.js';
import type { UplinkAck } from './transport.js';

/**
 * The hub's signed acknowledgement (README "The downlink"). The reply stays
 * JSON: {ack, stored, time, commands?, head, nonce?, sig}, where `sig` is the
 * hub key's Ed25519 signature (hex) over the deterministic CBOR of
 *   ["fazt/ack/v1", node, ack, stored, time, commands, head, nonce]
 * `head` is the hash of the last entry of the batch answered (for a poll:
 * the head the poll named), `commands` is [] when there are none and
 * `nonce` the poll's nonce (null for an uplink's reply). `head` and `nonce`
 * are also in the JSON, so a node can tell a reply meant for another request
 * (a replay) from a forgery.
 */
const ACK_DOMAIN = 'fazt/ack/v1';
/** More than the hub ever sends in one reply (host/store/commands.ts sends 8). */
const MAX_COMMANDS = 32;

export interface DownlinkCommand {
  /** 16 characters, like an event id. */
  id: string;
  /** Per node, from 1: the node acts on each seq once. */
  seq: number;
  /** An output's action, or a firmware image offered (firmware/ota/ota-offer.ts). */
  action: CommandAction | OtaOffer;
  /** ms since the epoch: the node does not act after it. */
  notAfter: number;
}

export interface AckFields {
  node: string;
  ack: number;
  stored: number;
  time: number;
  commands: readonly DownlinkCommand[];
  head: Uint8Array;
  nonce: Uint8Array | null;
}

/** The JSON reply. */
export interface AckReply {
  ack: number;
  stored: number;
  time: number;
  commands?: DownlinkCommand[];
  head: string;
  nonce?: string;
  sig: string;
}

function actionValue(a: CommandAction | OtaOffer): ValueMap {
  if (isOtaAction(a)) return offerValue(a as OtaOffer);
  const c = a as CommandAction;
  const action: ValueMap = { output: c.output, op: c.op };
  if (c.ms !== undefined) action.ms = c.ms;
  if (c.duty !== undefined) action.duty = c.duty;
  return action;
}

function commandValue(c: DownlinkCommand): ValueMap {
  return { id: c.id, seq: c.seq, action: actionValue(c.action), notAfter: c.notAfter };
}

function signedForm(node: string, ack: number, stored: number, time: number, commands: Value[], head: Uint8Array, nonce: Uint8Array | null): Uint8Array {
  return encodeCbor([ACK_DOMAIN, node, ack, stored, time, commands, head, nonce]);
}

/** The hub's side: the reply, signed with its key. */
export function signAck(f: AckFields, hub: NodeIdentity, crypto: CryptoProvider): AckReply {
  const commands = f.commands.map(commandValue);
  const sig = crypto.sign(signedForm(f.node, f.ack, f.stored, f.time, commands, f.head, f.nonce), hub.secretKey);
  const reply: AckReply = { ack: f.ack, stored: f.stored, time: f.time, head: toHex(f.head), sig: toHex(sig) };
  if (commands.length) reply.commands = commands as unknown as DownlinkCommand[];
  if (f.nonce) reply.nonce = toHex(f.nonce);
  return reply;
}

export type AckRefusal = 'unsigned' | 'bad-signature' | 'replay' | 'malformed';

/**
 * A reply checked: verified (its time and commands may be trusted; each
 * command's action is still to be checked), or refused with the reason and
 * the ids of the commands it carried (informational: an unverified reply's
 * ids prove nothing).
 */
export type AckCheck =
  | { ok: true; time: number; commands: { id: string; seq: number; notAfter: number; action: unknown }[]; hubKey: Uint8Array }
  | { ok: false; reason: AckRefusal; message: string; carried: string[] };

const ID = /^[a-z2-7]{16}$/;
const HEX = (n: number) => new RegExp(`^[0-9a-f]{${n * 2}}$`);
const SIG_HEX = HEX(64);
const HEAD_HEX = HEX(32);
const NONCE_HEX = HEX(16);

function carriedIds(commands: unknown): string[] {
  if (!Array.isArray(commands)) return [];
  const ids: string[] = [];
  for (let i = 0; i < commands.length && ids.length < MAX_COMMANDS; i++) {
    const c = commands[i] as { id?: unknown } | null;
    if (c && typeof c === 'object' && typeof c.id === 'string' && ID.test(c.id)) ids.push(c.id);
  }
  return ids;
}

/** A command as signed: {id, seq, action, notAfter}, nothing else; the action's own fields are checked when the node acts. */
function commandShape(c: unknown): c is { id: string; seq: number; notAfter: number; action: ValueMap } {
  if (!isValueMap(c as Value)) return false;
  const m = c as ValueMap;
  for (const k in m) if (k !== 'id' && k !== 'seq' && k !== 'action' && k !== 'notAfter') return false;
  return (
    typeof m.id === 'string' &&
    ID.test(m.id) &&
    Number.isSafeInteger(m.seq) &&
    (m.seq as number) >= 1 &&
    Number.isSafeInteger(m.notAfter) &&
    isValueMap(m.action)
  );
}

/**
 * The node's side: checks a reply to the request it sent (its node id, the
 * head of the batch or poll, the poll's nonce or null) against the hub keys
 * in its configuration (one key, or the owner's hubs: any of them may have
 * signed; `hubKey` in the answer says which). In order: no signature (unsigned), fields that
 * cannot be what was signed (malformed), a signature that does not verify
 * over the reply's own fields (bad-signature), a reply that verifies but
 * answers another request (replay).
 */
export function checkAck(
  reply: UplinkAck,
  expect: { node: string; head: Uint8Array; nonce: Uint8Array | null },
  hubKeys: Uint8Array | readonly Uint8Array[],
  crypto: CryptoProvider,
): AckCheck {
  const carried = carriedIds(reply.commands);
  const refuse = (reason: AckRefusal, message: string): AckCheck => ({ ok: false, reason, message, carried });
  if (reply.sig === undefined) return refuse('unsigned', 'the acknowledgement carries no signature');
  const commands = reply.commands === undefined ? [] : reply.commands;
  if (!SIG_HEX.test(reply.sig)) return refuse('malformed', 'sig must be 128 hex digits');
  if (reply.time === undefined) return refuse('malformed', 'a signed acknowledgement must carry the time');
  if (reply.head === undefined || !HEAD_HEX.test(reply.head)) return refuse('malformed', 'head must be 64 hex digits');
  if (reply.nonce !== undefined && !NONCE_HEX.test(reply.nonce)) return refuse('malformed', 'nonce must be 32 hex digits');
  if (!Array.isArray(commands) || commands.length > MAX_COMMANDS) return refuse('malformed', `commands must be an array of at most ${MAX_COMMANDS}`);
  for (let i = 0; i < commands.length; i++) if (!commandShape(commands[i])) return refuse('malformed', `commands[${i}] is not {id, seq, action, notAfter}`);
  const head = fromHex(reply.head);
  const nonce = reply.nonce === undefined ? null : fromHex(reply.nonce);
  const form = signedForm(expect.node, reply.ack, reply.stored, reply.time, commands as Value[], head, nonce);
  const keys = keyList(hubKeys);
  const sig = fromHex(reply.sig);
  const hubKey = keys.find((k) => crypto.verify(sig, form, k));
  if (!hubKey)
    return refuse('bad-signature', `the acknowledgement's signature does not verify against ${keys.length === 1 ? 'the hub key' : 'any of the hub keys'}`);
  const sameNonce = nonce === null ? expect.nonce === null : expect.nonce !== null && bytesEqual(nonce, expect.nonce);
  if (!bytesEqual(head, expect.head) || !sameNonce)
    return refuse('replay', nonce === null ? 'a signed acknowledgement of another batch' : 'a signed answer to another poll');
  return { ok: true, time: reply.time, commands: commands as { id: string; seq: number; notAfter: number; action: unknown }[], hubKey };
}
