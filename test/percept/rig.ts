import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { ValueMap } from '../../firmware/codec/value.js';
import type { EventEntry } from '../../firmware/event/envelope.js';
import { identityFromSecretKey } from '../../firmware/identity/node-id.js';
import { HubLog } from '../../host/hub/hub-log.js';
import { PerceptEngine } from '../../host/percept/percept-engine.js';
import type { PerceptOptions } from '../../host/percept/percept-options.js';
import { Cartridge } from '../../host/store/cartridge.js';
import type { Scenario } from '../../sim/scenario/scenario.js';
import { ScenarioRun } from '../../sim/scenario/scenario-run.js';
import { crypto, type TestNode } from '../hub/helpers.js';

export const HUB_SEED = 90;

/** A percept as the tests compare them: type and data (data carries `at` and the causes). */
export interface Said {
  type: string;
  data: ValueMap;
}

/**
 * A hub's store, its own chain and a percept engine on a virtual clock, fed
 * node batches directly (the same ingest an uplink takes, without HTTP), with
 * the hub's clock checked by hand (tickMs 0): what each percept test drives.
 */
export class PerceptRig {
  cartridge!: Cartridge;
  hubLog!: HubLog;
  engine!: PerceptEngine;
  now = Date.UTC(2026, 0, 1);
  readonly logs: Record<string, unknown>[] = [];
  private readonly sent = new Map<TestNode, number>();
  private readonly hub = identityFromSecretKey(new Uint8Array(32).fill(HUB_SEED), crypto);

  constructor(
    readonly dir: string,
    readonly options: PerceptOptions = {},
  ) {
    mkdirSync(dir, { recursive: true });
    this.open();
  }

  get hubId(): string {
    return this.hub.id;
  }

  add(node: TestNode): TestNode {
    this.cartridge.addNode(node.identity.publicKey);
    this.sent.set(node, 0);
    return node;
  }

  /** Stores what each node recorded since its last batch, one signed batch per node. */
  flush(): void {
    for (const [node, done] of this.sent) {
      if (node.entries.length === done) continue;
      this.cartridge.ingestBatch(node.batch(done + 1, node.entries.length));
      this.sent.set(node, node.entries.length);
    }
  }

  tick(): void {
    this.engine.tick();
  }

  /** Every percept on the hub's chain, in chain order. */
  percepts(): Said[] {
    return [...this.cartridge.chain(this.hubId)].map((e) => ({ type: e.type, data: e.data as ValueMap }));
  }

  /** The stored event with this id, from any chain. */
  event(id: string): EventEntry | undefined {
    // The id is not stored (it is the hash's first bytes): look through the chains.
    for (const n of [...this.cartridge.nodes('node'), ...this.cartridge.nodes('hub')]) for (const e of this.cartridge.chain(n.id)) if (e.id === id) return e;
    return undefined;
  }

  /** Stops the engine and closes the store, as a hub that stops; then opens and rebuilds again. */
  restart(): void {
    this.close();
    this.open();
  }

  close(): void {
    this.engine.stop();
    this.cartridge.close();
  }

  private open(): void {
    this.cartridge = Cartridge.open(join(this.dir, 'fazt.db'), { clock: () => this.now });
    this.hubLog = new HubLog({ cartridge: this.cartridge, identity: this.hub, crypto, clock: () => this.now });
    this.engine = new PerceptEngine({
      cartridge: this.cartridge,
      hubLog: this.hubLog,
      clock: () => this.now,
      options: { tickMs: 0, ...this.options },
      log: (r) => this.logs.push(r),
    });
    this.engine.start();
  }
}

/**
 * Runs a scenario in simulated time, each board's events re-signed by a
 * TestNode of the rig (the simulator's drivers, lifecycle and models made
 * them), stored every `batchMs` with the hub's clock at the simulated time.
 * `keep` may drop events (a sensor made to fall silent).
 */
export function feedScenario(
  rig: PerceptRig,
  scenario: Scenario,
  nodes: Record<string, TestNode>,
  options: { untilMs: number; batchMs?: number; keep?: (board: string, e: EventEntry) => boolean; every?: (t: number) => void },
): ScenarioRun {
  const run = new ScenarioRun(scenario, {
    onEvent: (sim, e) => {
      if (options.keep && !options.keep(sim.name, e)) return;
      nodes[sim.name].record(e.type, e.source.slice(e.source.indexOf('/') + 1), e.data, e.time);
    },
  });
  const step = options.batchMs ?? 5000;
  for (let t = 0; t < options.untilMs; t += step) {
    run.runFor(step);
    rig.now = Math.floor(run.clock.now());
    rig.flush();
    rig.tick();
    options.every?.(t + step);
  }
  run.stop();
  return run;
}
