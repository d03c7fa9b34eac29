import type { ValueMap } from '../codec/value.js';
import { declaredConfig } from './declared-config.js';
import type { NodeConfig } from './node-config.js';
import type { NodeOutputs } from './node-outputs.js';

/** The data of system.boot: the image running, the board, the declared configuration and the outputs a command may name. */
export function bootEvent(config: NodeConfig, outputs: NodeOutputs, firmware: string): ValueMap {
  const boot: ValueMap = { firmware, board: config.board, sensors: config.sensors.length, config: declaredConfig(config) };
  // The outputs a command may name (the hub checks commands against the latest boot); absent on nodes without any.
  const list = outputs.list;
  if (list.length) boot.outputs = list.map((x) => ({ name: x.name, driver: x.driver, pin: x.pin }));
  return boot;
}
