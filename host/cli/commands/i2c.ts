import { existsSync, readFileSync } from 'node:fs';
import type { Board } from '../../../hal/board/board.js';
import { PinClaims } from '../../../hal/board/pin-claims.js';
import type { HalBackend } from '../../../hal/contracts/io.js';
import { formatScan, scanI2c } from '../../../hal/i2c-scan.js';
import { loadScenario } from '../../../sim/scenario/load-scenario.js';
import { ScenarioRun } from '../../../sim/scenario/scenario-run.js';
import { getBoard } from '../../boards/board-registry.js';
import { UsageError, type Command } from '../command.js';

/** Which Raspberry Pi this is, from the device tree's model string. */
function detectPi(model: string): string | undefined {
  if (/Raspberry Pi 5/.test(model)) return 'rpi-5';
  if (/Raspberry Pi 4/.test(model)) return 'rpi-4b';
  if (/Raspberry Pi Zero 2/.test(model)) return 'rpi-zero-2w';
  return undefined;
}

function busPins(board: Board, busId: number | undefined): { sda?: number; scl?: number } {
  if (busId === undefined) return {};
  const bus = board.i2c.buses.find((b) => b.id === busId);
  if (!bus) throw new UsageError(`${board.id} has no I2C bus ${busId}; its buses: ${board.i2c.buses.map((b) => b.id).join(', ')}`);
  return { sda: bus.sda, scl: bus.scl };
}

export const i2cCommand: Command = {
  name: 'i2c',
  summary: 'I2C tools',
  usage: 'fazt i2c <scan>',
  subcommands: [
    {
      name: 'scan',
      summary: 'List the addresses that answer on a bus, like i2cdetect (simulated board or this Pi)',
      usage: 'fazt i2c scan [--bus N] [--scenario file.json --board <name>] [--json]',
      help: "With --scenario, scans a simulated board of that scenario. Without it, scans this Raspberry Pi's bus\n(/dev/i2c-N through i2c-bus; the board is read from /proc/device-tree/model or given with --pi <board id>).",
      options: {
        bus: { type: 'string', value: 'N', description: "the I2C bus number (default: the board's default bus)" },
        scenario: { type: 'string', value: 'FILE', description: 'scan a simulated board of this scenario instead of this Pi' },
        board: { type: 'string', value: 'NAME', description: 'which board of the scenario (needed when it has several)' },
        pi: { type: 'string', value: 'ID', description: 'the Raspberry Pi board id when /proc/device-tree/model does not tell (fazt boards)' },
        json: { type: 'boolean', description: 'print the board, the bus and the addresses found as JSON' },
      },
      run: async ({ values, out }) => {
        const busId = values.bus === undefined ? undefined : Number(values.bus);
        if (busId !== undefined && !Number.isInteger(busId)) throw new UsageError(`--bus must be a bus number, got '${String(values.bus)}'`);
        let backend: HalBackend;
        let board: Board;
        if (typeof values.scenario === 'string') {
          const sim = new ScenarioRun(loadScenario(values.scenario), { boards: typeof values.board === 'string' ? [values.board] : undefined });
          const node = sim.nodes[0];
          if (sim.nodes.length > 1)
            throw new UsageError(`the scenario has ${sim.nodes.length} boards; pick one with --board (${sim.nodes.map((n) => n.name).join(', ')})`);
          sim.stop(); // the scan needs the wiring, not the sensors
          backend = node.board.backend;
          board = node.board.board;
        } else {
          const model = existsSync('/proc/device-tree/model') ? readFileSync('/proc/device-tree/model', 'utf8').replace(/\0/g, '') : '';
          const id = typeof values.pi === 'string' ? values.pi : detectPi(model);
          if (!id)
            throw new UsageError(`no Raspberry Pi detected${model ? ` (${model})` : ''}; scan a simulated board with --scenario, or name the board with --pi`);
          board = getBoard(id);
          const { createLinuxBackend } = await import('../../../hal/linux/linux-backend.js');
          const { embeddedNativeLoader } = await import('../../assets/native-packages.js');
          backend = createLinuxBackend({ board, claims: new PinClaims(board), loader: embeddedNativeLoader() });
        }
        const pins = busPins(board, busId);
        const found = scanI2c((address) => backend.i2c({ address, data: pins.sda, clock: pins.scl }));
        if (values.json) out(JSON.stringify({ board: board.id, bus: busId ?? board.i2c.buses.find((b) => b.default)?.id, found }) + '\n');
        else out(formatScan(found) + '\n');
      },
    },
  ],
};
