import type { Value, ValueMap } from '../codec/value.js';
import type { CryptoProvider } from '../crypto/crypto-provider.js';
import { FaztError } from '../../hal/contracts/errors.js';
import { nodeIdFromPublicKey } from '../identity/node-id.js';
import { keyList } from '../uplink/hub-keys.js';
import { isOtaAction } from '../ota/ota-offer.js';
import { checkAction, type CommandAction } from '../uplink/command-action.js';
import { type AckRefusal, checkAck } from '../uplink/signed-ack.js';
import type { UplinkAck } from '../uplink/transport.js';
import { type NodeOutputs, REFUSAL_CODES } from './node-outputs.js';
import type { CommandSeqs } from './node-state.js';

export interface DownlinkOptions {
  nodeId: string;
  /** The hub public key of the node configuration, or the owner's hub keys, the configuration's `hub` first (node-config.ts hubKeys). */
  hubKey: Uint8Array | readonly Uint8Array[];
  crypto: CryptoProvider;
  outputs: NodeOutputs;
  /** The node's clock (ms since the epoch, as events are stamped): a command past its notAfter expires. */
  now: () => number;
  record: (type: string, component: string, data: Value) => void;
  /** A time from the hub whose signature verified, with the local clock when the request left and the answer came. */
  onTime: (time: number, sentAt: number, receivedAt: number) => void;
  log?: (line: string) => void;
  /** Takes a firmware offer (firmware/ota/ota-updater.ts), recording its outcome; absent, offers are refused. */
  ota?: (base: ValueMap, action: unknown) => void;
  /**
   * The highest command seq handled before this boot, per issuing hub (persisted: firmware/node/node-state.ts);
   * a number is the first hub's.
   */
  lastCommandSeq?: number | CommandSeqs;
  /** A command seq of `hub` is about to be acted on (`all`: every hub's after it): the node persists it first, so no restart acts on it twice. */
  onCommandSeq?: (seq: number, hub: string, all: CommandSeqs) => void;
}

/** The request an answer is checked against: the head it named and, for a poll, its nonce. */
export interface Exchange {
  head: Uint8Array;
  nonce: Uint8Array | null;
  sentAt: number;
  receivedAt: number;
}

type Command = { id: string; seq: number; notAfter: number; action: unknown };

/**
 * The node's end of the downlink. Every hub answer (to a batch or a poll) is
 * checked against the hub key first (firmware/uplink/signed-ack.ts); only a
 * verified answer sets the clock or carries commands. Each command is acted
 * on once: seqs at or below the highest handled are duplicates and skipped
 * (the hub sends a command again until the node's evidence reaches it).
 * Every outcome is an event on the node's own chain: effect.applied (with
 * the output read back), effect.failed, effect.expired, effect.refused.
 *
 * Seqs are per issuing hub (a node of several hubs takes commands from each,
 * numbered by each): a command is a duplicate of what the hub that signed
 * the answer sent before.
 *
 * The highest seq handled is persisted (onCommandSeq) before the command is
 * acted on, so a restart never acts on a command twice: at most once. A
 * command whose evidence was still in RAM when the power went is skipped as
 * a duplicate after the restart (the hub sends it until its notAfter).
 */
export class Downlink {
  readonly stats = { verified: 0, refused: 0, applied: 0, failed: 0, expired: 0, duplicates: 0 };
  private seqs: CommandSeqs;
  private readonly keys: readonly Uint8Array[];
  /** The hub ids of `keys`, in the same order. */
  private readonly hubs: string[];
  /** Reasons already recorded since the last verified answer (an answer without commands is recorded once per reason). */
  private readonly streak: AckRefusal[] = [];

  constructor(private readonly o: DownlinkOptions) {
    this.keys = keyList(o.hubKey);
    this.hubs = this.keys.map((k) => nodeIdFromPublicKey(k, o.crypto));
    const last = o.lastCommandSeq ?? 0;
    this.seqs = typeof last === 'number' ? (last > 0 ? { [this.hubs[0]]: last } : {}) : { ...last };
  }

  /** The highest command seq of the first hub acted on (since boot, or before it when persisted). */
  get lastCommandSeq(): number {
    return this.seqs[this.hubs[0]] ?? 0;
  }

  /**
   * Checks and acts on an answer; returns how many command outcomes it
   * recorded (the caller sends them at once, so the hub learns soon). A
   * refusal of the answer itself goes with the next batch: sending it at
   * once would let a forger keep the node busy.
   */
  answer(ack: UplinkAck, x: Exchange): number {
    const c = checkAck(ack, { node: this.o.nodeId, head: x.head, nonce: x.nonce }, this.keys, this.o.crypto);
    if (!c.ok) {
      this.stats.refused++;
      this.o.log?.(`refused the hub's answer (${c.reason}): ${c.message}`);
      if (c.carried.length === 0 && this.streak.indexOf(c.reason) >= 0) return 0;
      this.streak.push(c.reason);
      const data: ValueMap = { reason: c.reason, message: c.message };
      if (c.carried.length) data.commands = c.carried;
      this.o.record('effect.refused', 'downlink', data);
      return 0;
    }
    this.streak.length = 0;
    this.stats.verified++;
    this.o.onTime(c.time, x.sentAt, x.receivedAt);
    let recorded = 0;
    const hub = this.hubs[this.keys.indexOf(c.hubKey)];
    for (const cmd of c.commands.slice().sort((a, b) => a.seq - b.seq)) if (this.act(cmd, hub)) recorded++;
    return recorded;
  }

  private act(cmd: Command, hub: string): boolean {
    if (cmd.seq <= (this.seqs[hub] ?? 0)) {
      this.stats.duplicates++;
      return false;
    }
    const next: CommandSeqs = { ...this.seqs, [hub]: cmd.seq };
    try {
      this.o.onCommandSeq?.(cmd.seq, hub, next);
    } catch (e) {
      // Not acted on unless persisted (at most once); the hub sends it again.
      this.o.log?.(`command seq ${cmd.seq} not acted on: it could not be persisted (${(e as Error).message})`);
      return false;
    }
    this.seqs = next;
    const base: ValueMap = { command: cmd.id, seq: cmd.seq };
    if (this.o.now() > cmd.notAfter) {
      this.stats.expired++;
      this.o.record('effect.expired', 'downlink', { ...base, notAfter: cmd.notAfter });
      return true;
    }
    if (isOtaAction(cmd.action)) {
      if (this.o.ota) this.o.ota(base, cmd.action);
      else this.o.record('effect.refused', 'downlink', { ...base, reason: 'no-ota', message: 'this node does not take firmware updates' });
      return true;
    }
    let action: CommandAction;
    try {
      action = checkAction(cmd.action);
    } catch (e) {
      this.stats.refused++;
      this.o.record('effect.refused', 'downlink', { ...base, reason: 'bad-action', message: (e as Error).message });
      return true;
    }
    const what: ValueMap = { output: action.output, op: action.op };
    if (action.ms !== undefined) what.ms = action.ms;
    try {
      const value = this.o.outputs.apply(action);
      this.stats.applied++;
      this.o.record('effect.applied', action.output, { ...base, ...what, value });
    } catch (e) {
      const code = e instanceof FaztError ? e.code : '';
      const message = (e as Error).message ?? String(e);
      if (REFUSAL_CODES.indexOf(code) >= 0) {
        this.stats.refused++;
        this.o.record('effect.refused', 'downlink', { ...base, ...what, reason: code, message });
      } else {
        this.stats.failed++;
        this.o.record('effect.failed', action.output, { ...base, ...what, reason: code || 'error', message });
      }
    }
    return true;
  }
}
