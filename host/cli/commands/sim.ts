import type { Command } from '../command.js';
import { simNodeCommand } from './sim-node.js';
import { simRunCommand } from './sim-run.js';

export const simCommand: Command = {
  name: 'sim',
  summary: 'The board simulator: scenarios of virtual boards, device models and faults in simulated time',
  usage: 'fazt sim <run|node>',
  subcommands: [simRunCommand, simNodeCommand],
};
