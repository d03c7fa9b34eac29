import type { JsonValue } from '../../firmware/codec/json-form.js';
import type { WakeSummary } from '../../firmware/node/sleep-cycle.js';
import type { Board } from '../../hal/board/board.js';
import type { WakeCause } from '../../hal/contracts/sleep.js';
import type { SleepRequest } from '../../hal/sim/sim-sleep.js';
import { validateOnHost } from '../../host/schema/host-validators.js';
import { projectRoot } from '../../host/project-root.js';
import { SimBoard } from '../world/sim-board.js';
import type { VirtualClock } from '../world/virtual-clock.js';
import { bridgeHost, jsonHostCall, type UplinkSender } from '../xs/bridge-host.js';
import type { XsMeter } from '../xs/xs-worker.js';
import { XsSession } from '../xs/xs-session.js';
import { sleepWorld } from './sleep-world.js';

/** What one wake inside XS did. */
export interface XsWake {
  cause: WakeCause;
  summary: WakeSummary;
  events: { seq: number; type: string; data: JsonValue }[];
  /** The wake's timers still planned for later when it went to sleep. */
  timersLeft: number;
  sleptMs: number;
  next: WakeCause;
  meter: XsMeter;
}

/**
 * A battery node in deep sleep with its firmware inside XS
 * (sim/xs/entries/sleep-node-entry.ts), on a simulated board and world:
 * each wake runs in XS until the firmware asks to sleep; the host then
 * moves the world to the wake (sleep-world.ts) and boots it again.
 */
export class XsSleepingNode {
  private next: WakeCause = 'power-on';

  private constructor(
    readonly sim: SimBoard,
    private readonly xs: XsSession,
    private readonly clock: VirtualClock,
    private readonly config: JsonValue,
  ) {}

  static async start(o: {
    name: string;
    board: Board;
    clock: VirtualClock;
    config: JsonValue;
    uplink: UplinkSender;
    wire: (b: SimBoard) => void;
  }): Promise<XsSleepingNode> {
    validateOnHost('nodeConfig', o.config);
    const sim = new SimBoard(o.name, o.board, o.clock);
    o.wire(sim);
    const host = jsonHostCall(bridgeHost(sim.backend, o.clock, { uplink: o.uplink }).serve);
    const xs = await XsSession.start(`${projectRoot()}/sim/xs/entries/sleep-node-entry.ts`, { onHostCall: host });
    return new XsSleepingNode(sim, xs, o.clock, o.config);
  }

  async wake(): Promise<XsWake> {
    const cause = this.next;
    const { value, meter } = await this.xs.call<{ summary: WakeSummary; asked: SleepRequest; events: XsWake['events']; timersLeft: number }>(
      'wake',
      this.config,
      this.clock.now(),
      cause,
    );
    const { sleptMs, next } = sleepWorld(this.clock, this.sim.pins, value.asked.ms, value.asked.wakePin);
    this.next = next;
    return { cause, summary: value.summary, events: value.events, timersLeft: value.timersLeft, sleptMs, next, meter };
  }

  close(): Promise<void> {
    return this.xs.close();
  }
}
