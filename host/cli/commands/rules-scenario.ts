import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { toJsonValue, type JsonValue } from '../../../firmware/codec/json-form.js';
import type { EventEntry } from '../../../firmware/event/envelope.js';
import { identityFromSecretKey } from '../../../firmware/identity/node-id.js';
import { OUTPUT_DRIVERS } from '../../../firmware/uplink/command-action.js';
import { NodeRuntimeNode } from '../../../sim/node/node-runtime-node.js';
import type { SimulatedNode } from '../../../sim/node/simulated-node.js';
import { httpDownlink, httpUplink, type SimNodeOptions, XsNode } from '../../../sim/node/xs-node.js';
import { loadScenario } from '../../../sim/scenario/load-scenario.js';
import { ScenarioRun } from '../../../sim/scenario/scenario-run.js';
import type { ScenarioBoard } from '../../../sim/scenario/scenario.js';
import { scenarioNodeSecret, scheduleScenarioFaults, wireScenarioDevices } from '../../../sim/scenario/scenario-wiring.js';
import type { SimBoard } from '../../../sim/world/sim-board.js';
import { VirtualClock } from '../../../sim/world/virtual-clock.js';
import { getBoard } from '../../boards/board-registry.js';
import { nodeCrypto } from '../../crypto/node-crypto.js';
import { Hub } from '../../hub/hub.js';
import { type OptionSpec, UsageError } from '../command.js';
import { durationFlag } from '../duration-flag.js';
import { eventJson, type PinChange, scenarioText } from '../rules-scenario-text.js';

export const SCENARIO_FLAGS: Record<string, OptionSpec> = {
  scenario: { type: 'string', value: 'FILE', description: 'run the rule against a simulated scenario (sim/scenarios/*.json) instead of the stored log' },
  duration: { type: 'string', value: 'DURATION', description: "simulated time to run with --scenario, e.g. 24h (default: the scenario's)" },
  runtime: { type: 'string', value: 'ENGINE', description: 'where the node firmware runs with --scenario: xs or node (default xs)' },
};

/** How often an idle node asks for commands, and how far the nodes run between looks at their pins. */
const POLL_MS = 10_000;
const STEP_MS = 5000;

const EFFECTS = ['effect.applied', 'effect.failed', 'effect.expired', 'effect.refused'];
const HUB_TYPES = ['system.rule.fired', 'system.rule.stopped', 'effect.requested', 'effect.notify', 'effect.webhook', 'effect.failed'];

interface Rig {
  spec: ScenarioBoard;
  node: SimulatedNode;
  clock: VirtualClock;
  /** The node's simulated board, once its firmware wired it. */
  wired: { board?: SimBoard };
  outputs: { name: string; pin: number; level: 0 | 1 | null }[];
}

/**
 * `fazt rules test <rule.json> --scenario FILE`: the honest loop in one
 * process. A real hub (loopback, temp folder, its rules on) whose clock is
 * the simulated one; the scenario's boards as nodes running their firmware
 * (XS by default) with the scenario's device models, uplinking to the hub
 * and polling it for commands. The rule is added once the nodes have booted
 * (their outputs are known then), so what it does travels firmware →
 * uplink → hub → rule → command → downlink → pin. Reports the hub's firings
 * and effects, the nodes' signed outcomes, and every output pin's changes.
 */
export async function scenarioTest(doc: unknown, values: Record<string, unknown>, out: (t: string) => void, err: (t: string) => void): Promise<number> {
  const runtime = String(values.runtime ?? 'xs');
  if (runtime !== 'xs' && runtime !== 'node') throw new UsageError(`--runtime must be xs or node, got '${runtime}'`);
  const scenario = loadScenario(String(values.scenario));
  // The scenario's start and duration as the scenario runner reads them (a run of no boards builds nothing).
  const meta = new ScenarioRun({ ...scenario, boards: [] });
  const startMs = meta.startMs;
  const duration = typeof values.duration === 'string' ? durationFlag(values.duration, '--duration') : meta.defaultDurationMs;
  const dir = mkdtempSync(join(tmpdir(), 'fazt-rules-scenario-'));
  let world = new VirtualClock(startMs);
  const hub = new Hub({
    dataDir: dir,
    host: '127.0.0.1',
    port: 0,
    clock: () => Math.floor(world.now()),
    time: { mode: 'system' },
    rules: true,
    log: () => undefined,
  });
  const rigs: Rig[] = [];
  const seen: EventEntry[] = [];
  const pins: PinChange[] = [];
  try {
    const { url, hubId } = await hub.start();
    hub.onStored((entries) => {
      for (const e of entries) {
        const fromHub = e.source.startsWith(`${hubId}/`);
        if (fromHub ? HUB_TYPES.includes(e.type) : EFFECTS.includes(e.type)) seen.push(e);
      }
    });
    let warned = false;
    for (const spec of scenario.boards) {
      const identity = identityFromSecretKey(scenarioNodeSecret(scenario, spec.name), nodeCrypto);
      hub.cartridge.addNode(identity.publicKey, { name: spec.name, board: spec.board });
      const clock = new VirtualClock(startMs);
      const wired: Rig['wired'] = {};
      const o: SimNodeOptions = {
        name: spec.name,
        board: getBoard(spec.board),
        clock,
        config: {
          name: spec.name,
          board: spec.board,
          secretKey: toJsonValue(identity.secretKey),
          hub: { url, publicKey: toJsonValue(hub.publicKey) },
          sensors: spec.sensors as unknown as JsonValue,
          uplink: { batchSize: 16, maxDelayMs: STEP_MS, downlinkPollMs: POLL_MS },
          buffer: { budgetBytes: 1 << 20 },
        },
        uplink: httpUplink(() => url),
        downlink: httpDownlink(() => url),
        wire: (b) => {
          wired.board = b;
          scheduleScenarioFaults(spec, wireScenarioDevices(scenario, spec, b, startMs), b.clock, startMs);
        },
      };
      world = clock;
      let node: SimulatedNode | undefined;
      if (runtime === 'xs') {
        try {
          node = await XsNode.start(o);
        } catch (e) {
          if (!warned) err(`fazt: WARNING: the XS engine is unavailable (${(e as Error).message}); running the node firmware on Node instead\n`);
          warned = true;
        }
      }
      node ??= new NodeRuntimeNode(spec.name, o);
      const outputs = spec.sensors
        .filter((s) => OUTPUT_DRIVERS[s.driver] && s.pin !== undefined)
        .map((s) => ({ name: s.name, pin: s.pin as number, level: null }));
      rigs.push({ spec, node, clock, wired, outputs });
    }
    const step = async (until: number) => {
      for (const r of rigs) {
        world = r.clock; // the hub reads the clock of the node it is talking to
        await r.node.run(until);
        for (const o of r.outputs) {
          const level = r.wired.board?.pins.driven(o.pin) ?? null;
          if (level !== o.level) pins.push({ at: until, node: r.spec.name, output: o.name, pin: o.pin, from: o.level, to: level });
          o.level = level;
        }
      }
    };
    // The nodes boot and declare their outputs; then the rule is added (checked against them) and runs.
    await step(startMs + 2 * STEP_MS);
    const put = (hub.rules as NonNullable<Hub['rules']>).put(doc);
    for (let t = startMs + 3 * STEP_MS; t <= startMs + duration; t += STEP_MS) await step(t);
    const runtimes = [...new Set(rigs.map((r) => r.node.runtime))].join(' and ');
    const report = { scenario: scenario.name, from: startMs, to: startMs + duration, runtime: runtimes, rule: put.rule, events: seen.map(eventJson), pins };
    out(values.json ? `${JSON.stringify(report)}\n` : `${scenarioText(report, rigs)}\n`);
    return 0;
  } finally {
    for (const r of rigs) await r.node.close().catch(() => undefined);
    await hub.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}
