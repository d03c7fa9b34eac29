/**
 * The hub of bench/soak, in its own process so the figures read from
 * /proc/<pid> are the hub's alone: the Hub class with 20 enabled rules and
 * Pulse on, the bench's nodes enrolled through the store's enrolment API
 * (as bench/ingest does). Answers the parent's messages: the count of stored
 * events, and stop.
 */
import { Hub } from '../host/hub/hub.js';
import { hundredRules } from './rule-fixtures.js';

interface Setup {
  dataDir: string;
  nodes: { publicKey: Uint8Array; name: string }[];
}

let hub: Hub | undefined;

process.on('message', async (msg: { setup?: Setup; count?: true; stop?: true }) => {
  if (msg.setup) {
    const { dataDir, nodes } = msg.setup;
    hub = new Hub({ dataDir, port: 0, log: () => undefined, rules: true, pulse: true });
    const address = await hub.start();
    for (const n of nodes) hub.cartridge.addNode(n.publicKey, { name: n.name, board: 'esp32-devkitc' });
    const rules = hub.rules;
    if (!rules) throw new Error('the soak hub has no rule service');
    // Twenty of bench/rules' hundred: numeric with hysteresis and `for`, numeric with a condition, state with cooldown.
    for (const doc of hundredRules(nodes.map((n) => n.name)).slice(0, 20)) rules.put(doc);
    process.send?.({ url: address.url, cartridge: address.cartridge, rules: rules.list().length });
    return;
  }
  if (!hub) throw new Error('the soak hub was asked before its setup');
  if (msg.count) {
    const stored = hub.cartridge.nodes().reduce((sum, x) => sum + x.eventCount, 0);
    const firings = hub.rules?.list().reduce((sum, r) => sum + r.firings, 0) ?? 0;
    process.send?.({ stored, firings });
  }
  if (msg.stop) {
    await hub.stop();
    process.send?.({ stopped: true });
    process.disconnect();
  }
});
