import { existsSync, readFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { DEMO_NODES, type DemoNode } from '../../../sim/node/demo-nodes.js';
import { enrolDemoNode } from '../../../sim/node/demo-enrolment.js';
import { NodeRuntimeNode } from '../../../sim/node/node-runtime-node.js';
import type { SimControls } from '../../../sim/node/sim-control-api.js';
import type { SimulatedNode } from '../../../sim/node/simulated-node.js';
import { XsNode, type XsNodeEngine } from '../../../sim/node/xs-node.js';
import type { SimBoard } from '../../../sim/world/sim-board.js';
import { VirtualClock } from '../../../sim/world/virtual-clock.js';
import type { Hub } from '../../hub/hub.js';

/** Seeds of the demo nodes, kept beside the cartridge so a restart continues the same nodes. */
export function loadSeeds(file: string): Record<string, string> {
  if (!existsSync(file)) return {};
  return JSON.parse(readFileSync(file, 'utf8')) as Record<string, string>;
}

interface DemoLaunch {
  hub: Hub;
  url: string;
  /** Each demo node's key seed (hex) by name; a node without one gets a fresh one here. */
  seeds: Record<string, string>;
  /** When the boards powered on (ms since the epoch). */
  poweredOn: number;
  /** XS engines booting, by node name; a node takes (and removes) its own. None: the firmware runs on Node. */
  engines: Map<string, Promise<XsNodeEngine>>;
  /** The simulator page's controls: each node's board is added once it runs. */
  controls: SimControls;
  warn: (text: string) => void;
}

/**
 * Enrols and starts the demo nodes side by side (their XS engines start up in parallel), each in
 * its XS engine when it has one and on Node when that engine fails (warned once). One settled
 * result per demo node, in order, so the caller can close those that started when one failed.
 */
export function launchDemoNodes(l: DemoLaunch): Promise<PromiseSettledResult<{ demo: DemoNode; node: SimulatedNode }>[]> {
  const { hub, seeds, controls, engines } = l;
  let warned = false;
  return Promise.allSettled(
    DEMO_NODES.map(async (demo) => {
      seeds[demo.name] ??= randomBytes(32).toString('hex');
      const o = await enrolDemoNode(hub, l.url, demo, seeds[demo.name], l.poweredOn);
      let board: SimBoard | undefined;
      const wire = o.wire;
      o.wire = (b) => {
        board = b;
        wire(b);
      };
      const started = <T extends SimulatedNode>(node: T) => {
        if (board) controls.add(demo, board, node);
        return { demo, node };
      };
      const engine = engines.get(demo.name);
      engines.delete(demo.name); // the node owns it now
      if (engine) {
        try {
          return started(await XsNode.start(o, engine));
        } catch (e) {
          if (!warned) l.warn(`fazt: WARNING: the XS engine is unavailable (${(e as Error).message}); running the node firmware on Node instead\n`);
          warned = true;
        }
      }
      return started(new NodeRuntimeNode(demo.name, { ...o, clock: new VirtualClock(o.clock.now()) }));
    }),
  );
}
