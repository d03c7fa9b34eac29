import type { Command } from '../command.js';
import { meshPairCommand } from './mesh-pair.js';
import { meshPeersCommand } from './mesh-peers.js';

/** `fazt mesh`: replication between the owner's hubs (README "Pairing hubs"). */
export const meshCommand: Command = {
  name: 'mesh',
  summary: "Pair this hub with the owner's other hubs and see what replicates",
  usage: 'fazt mesh <pair|peers> [options]',
  subcommands: [meshPairCommand, meshPeersCommand],
};
