import { toHex } from '../../firmware/codec/text-encodings.js';
import type { Ota } from '../../hal/contracts/ota.js';
import type { EventLogHead } from '../../firmware/event/event-log.js';
import { NodeRuntimeNode } from '../node/node-runtime-node.js';
import { type SimNodeOptions, XsNode } from '../node/xs-node.js';
import type { UplinkSender } from '../xs/bridge-host.js';
import { OtaSlots } from './ota-slots.js';
import { readSimImage } from './sim-image.js';

export interface OtaSimNodeOptions extends Omit<SimNodeOptions, 'ota' | 'head'> {
  /** The image flashed over the cable (sim/ota/sim-image.ts), in ota_0. */
  factory: Uint8Array;
  /** Carries chunk requests to the hub (httpChunk). */
  chunk: UplinkSender;
}

/** A boot of the firmware on either runtime. */
type Booted = NodeRuntimeNode | XsNode;

/**
 * The slots as one boot of the firmware sees them: once that boot is over
 * (a reboot, a power cut), an answer still on its way when the power went
 * reaches no flash.
 */
export function poweredOta(slots: OtaSlots, power: { on: boolean }): Ota {
  const off = () => {
    if (!power.on) throw new Error('the node that began this is powered off');
  };
  return {
    begin: (size) => (off(), slots.begin(size)),
    write: (bytes) => (off(), slots.write(bytes)),
    commit: () => (off(), slots.commit()),
    abort: () => power.on && slots.abort(),
    confirm: () => power.on && slots.confirm(),
    get pendingVerify() {
      return slots.pendingVerify;
    },
    get rolledBackFrom() {
      return slots.rolledBackFrom;
    },
  };
}

/** Resets in a row that find nothing bootable before the model gives up (both slots bad). */
const MAX_RESETS = 4;

/**
 * A simulated node with two OTA slots, on the Node runtime (new OtaSimNode)
 * or with the firmware inside XS (OtaSimNode.startXs). Each boot runs
 * the bootloader model (OtaSlots.reset) and then the firmware of the image
 * it picked: its version is what the node reports (system.boot, health); an
 * image that does not boot (not a simulator image, or built `healthy:
 * false`) crashes before it can confirm, and the next reset rolls it back.
 * A reboot (the updater's, or powerCycle) re-creates the node app with the
 * same key and its chain head, as the device keeps its key in flash (in XS
 * each boot is a new machine, the slots and the preferences stay on the
 * host, and the chain head comes from the preferences, as on a device); what
 * else a power cycle loses or keeps is the simulator's power model's
 * business, not this one's.
 */
export class OtaSimNode {
  readonly slots: OtaSlots;
  /** Versions booted, in order; crashed boots are 'crashed:<version>'. */
  readonly booted: string[] = [];
  private node: Booted | undefined;
  private head: EventLogHead | undefined;
  private restarting: Promise<void> | undefined;
  private power = { on: false };

  constructor(
    private readonly o: OtaSimNodeOptions,
    private readonly runtime: 'node' | 'xs' = 'node',
  ) {
    this.slots = new OtaSlots(o.factory, (b) => readSimImage(b)?.version);
    this.restarting = this.boot()?.then(() => {
      this.restarting = undefined;
    });
  }

  /** The node with its firmware inside XS, booted; its chain head lives in `preferences` (required), as a device's in NVS. */
  static async startXs(o: OtaSimNodeOptions & Required<Pick<SimNodeOptions, 'preferences'>>): Promise<OtaSimNode> {
    const n = new OtaSimNode(o, 'xs');
    await n.restarting;
    return n;
  }

  get id(): string {
    return (this.node as Booted).id;
  }

  /** The version running now. */
  get running(): string {
    return this.booted[this.booted.length - 1];
  }

  /** Cuts the power and boots again (before an image confirmed itself, that is a rollback). */
  async powerCycle(): Promise<void> {
    this.reboot();
    await this.restarting;
  }

  /** Runs the node (and the reboots it asks for) until simulated time `until`. */
  async run(until: number): Promise<void> {
    for (let i = 0; i < 16; i++) {
      await this.restarting;
      const node = this.node as Booted;
      await node.run(until);
      // A reboot during the run: the new node has yet to run (its first batch, at least).
      if (!this.restarting && this.node === node) return;
    }
    throw new Error(`node ${this.o.name} rebooted 16 times before ${new Date(until).toISOString()}`);
  }

  async close(): Promise<void> {
    await this.restarting;
    await this.node?.close();
  }

  /** Boots the image the bootloader picks; on XS the machine starts asynchronously (the promise), on Node at once. */
  private boot(): Promise<void> | undefined {
    for (let i = 0; i < MAX_RESETS; i++) {
      const image = readSimImage(this.slots.reset());
      if (image?.healthy) {
        this.booted.push(image.version);
        const head = this.head;
        const power = { on: true };
        this.power = power;
        const ota = { backend: poweredOta(this.slots, power), firmware: image.version, chunk: this.o.chunk, restart: () => power.on && this.reboot() };
        if (this.runtime === 'xs')
          return XsNode.start({ ...this.o, ota }).then((n) => {
            this.node = n;
          });
        this.node = new NodeRuntimeNode(this.o.name, { ...this.o, head: head && { seq: head.seq, hash: toHex(head.hash) }, ota });
        return undefined;
      }
      this.booted.push(`crashed:${image?.version ?? 'not an image'}`);
    }
    throw new Error(`node ${this.o.name}: no slot holds a bootable image`);
  }

  private reboot(): void {
    this.power.on = false;
    const n = this.node as Booted;
    this.node = undefined;
    // The head at the cut: an answer that lands on the powered-off node adds nothing to the chain the next boot continues.
    if (n instanceof NodeRuntimeNode) this.head = n.head;
    this.restarting = n.close().then(async () => {
      await this.boot();
      this.restarting = undefined;
    });
  }
}
