import type { Value, ValueMap } from '../codec/value.js';
import type { CryptoProvider } from '../crypto/crypto-provider.js';
import { FaztError } from '../../hal/contracts/errors.js';
import { isOtaAction } from '../ota/ota-offer.js';
import { checkAction, type CommandAction } from '../uplink/command-action.js';
import { type AckRefusal, checkAck } from '../uplink/signed-ack.js';
import type { UplinkAck } from '../uplink/transport.js';
import { type NodeOutputs, REFUSAL_CODES } from './node-outputs.js';

export interface DownlinkOptions {
  nodeId: string;
  /** The hub public key of the node configuration. */
  hubKey: Uint8Array;
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
  /** The highest command seq handled before this boot (persisted: firmware/node/node-state.ts). */
  lastCommandSeq?: number;
  /** A command seq is about to be acted on: the node persists it first, so no restart acts on it twice. */
  onCommandSeq?: (seq: number) => void;
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
 * The highest seq handled is persisted (onCommandSeq) before the command is
 * acted on, so a restart never acts on a command twice: at most once. A
 * command whose evidence was still in RAM when the power went is skipped as
 * a duplicate after the restart (the hub sends it until its notAfter).
 */
export class Downlink {
  readonly stats = { verified: 0, refused: 0, applied: 0, failed: 0, expired: 0, duplicates: 0 };
  private lastSeq: number;
  /** Reasons already recorded since the last verified answer (an answer without commands is recorded once per reason). */
  private readonly streak: AckRefusal[] = [];

  constructor(private readonly o: DownlinkOptions) {
    this.lastSeq = o.lastCommandSeq ?? 0;
  }

  /** The highest command seq acted on (since boot, or before it when persisted). */
  get lastCommandSeq(): number {
    return this.lastSeq;
  }

  /**
   * Checks and acts on an answer; returns how many command outcomes it
   * recorded (the caller sends them at once, so the hub learns soon). A
   * refusal of the answer itself goes with the next batch: sending it at
   * once would let a forger keep the node busy.
   */
  answer(ack: UplinkAck, x: Exchange): number {
    const c = checkAck(ack, { node: this.o.nodeId, head: x.head, nonce: x.nonce }, this.o.hubKey, this.o.crypto);
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
    for (const cmd of c.commands.slice().sort((a, b) => a.seq - b.seq)) if (this.act(cmd)) recorded++;
    return recorded;
  }

  private act(cmd: Command): boolean {
    if (cmd.seq <= this.lastSeq) {
      this.stats.duplicates++;
      return false;
    }
    try {
      this.o.onCommandSeq?.(cmd.seq);
    } catch (e) {
      // Not acted on unless persisted (at most once); the hub sends it again.
      this.o.log?.(`command seq ${cmd.seq} not acted on: it could not be persisted (${(e as Error).message})`);
      return false;
    }
    this.lastSeq = cmd.seq;
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
