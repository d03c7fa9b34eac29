import type { NodeRef, TargetNode } from '../rules/index.js';
import { loadBoards } from '../boards/board-registry.js';
import { bleComponent } from '../ble/ble-mac.js';
import { BleDevices } from '../store/ble-devices.js';
import type { Cartridge } from '../store/cartridge.js';

/**
 * The enrolled nodes as rules see them: id, name, and the outputs each
 * declared in its latest system.boot (name and GPIO), with its board
 * definition where the node enrolled with a known board. Rules are compiled
 * against `refs`; their targets are checked against `targets` (a node
 * without a known board cannot have its pins checked, so a rule that aims at
 * it by pin is refused as naming an unknown node there). Reads the nodes'
 * rows and each one's latest boot, never a count of their entries. Given
 * the hub's id, the hub and its named BLE devices are `sensors`: a rule may
 * read a device's series by its name (`{node: "kitchen", component: "ble"}`).
 */
export function ruleNodes(cartridge: Cartridge, hubId?: string): { refs: NodeRef[]; targets: TargetNode[]; sensors: NodeRef[] } {
  const boards = loadBoards();
  const refs: NodeRef[] = [];
  const targets: TargetNode[] = [];
  for (const n of cartridge.nodeNames()) {
    const ref = { id: n.id, name: n.name, outputs: outputsOf(cartridge, n.id) };
    refs.push(ref);
    const board = n.board ? boards.get(n.board) : undefined;
    if (board) targets.push({ id: n.id, name: n.name ?? n.id, board, outputs: ref.outputs });
  }
  // The hub's own chain, and each named BLE device on it, as sensors a rule may read (never drive).
  const sensors: NodeRef[] = [];
  if (hubId !== undefined) {
    sensors.push({ id: hubId });
    for (const d of new BleDevices(cartridge.db).list()) if (d.name !== undefined) sensors.push({ id: hubId, name: d.name, component: bleComponent(d.mac) });
  }
  return { refs: [...refs, ...sensors], targets, sensors };
}

/** One node as rules see it, by point lookups (what a node's system.boot changes); undefined when `id` is no enrolled node. */
export function ruleNode(cartridge: Cartridge, id: string): NodeRef | undefined {
  const name = cartridge.nodeName(id);
  return name === undefined ? undefined : { id, name, outputs: outputsOf(cartridge, id) };
}

function outputsOf(cartridge: Cartridge, node: string): { name: string; pin: number }[] {
  return cartridge.commands.outputsOf(node).map((o) => ({ name: o.name, pin: o.pin }));
}
