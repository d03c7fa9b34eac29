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
 * it by pin is refused as naming an unknown node there). Given the hub's
 * id, the hub and its named BLE devices are `sensors`: a rule may read a
 * device's series by its name (`{node: "kitchen", component: "ble"}`).
 */
export function ruleNodes(cartridge: Cartridge, hubId?: string): { refs: NodeRef[]; targets: TargetNode[]; sensors: NodeRef[] } {
  const boards = loadBoards();
  const refs: NodeRef[] = [];
  const targets: TargetNode[] = [];
  for (const n of cartridge.nodes()) {
    const outputs = cartridge.commands.outputsOf(n.id).map((o) => ({ name: o.name, pin: o.pin }));
    refs.push({ id: n.id, name: n.name, outputs });
    const board = n.board ? boards.get(n.board) : undefined;
    if (board) targets.push({ id: n.id, name: n.name ?? n.id, board, outputs });
  }
  // The hub's own chain, and each named BLE device on it, as sensors a rule may read (never drive).
  const sensors: NodeRef[] = [];
  if (hubId !== undefined) {
    sensors.push({ id: hubId });
    for (const d of new BleDevices(cartridge.db).list()) if (d.name !== undefined) sensors.push({ id: hubId, name: d.name, component: bleComponent(d.mac) });
  }
  return { refs: [...refs, ...sensors], targets, sensors };
}
