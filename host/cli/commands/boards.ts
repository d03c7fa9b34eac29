import type { Board } from '../../../hal/board/board.js';
import { isPinUse, pinExclusion, PIN_USES } from '../../../hal/board/pin-rules.js';
import { getBoard, loadBoards } from '../../boards/board-registry.js';
import { UsageError, type Command } from '../command.js';
import { table } from '../table.js';

function pinRows(b: Board): string[][] {
  return b.pins.map((p) => [
    String(p.gpio),
    p.label,
    p.header ?? '',
    p.reserved ? `reserved: ${p.reserved}` : p.caps.join(' '),
    [p.inputOnly ? 'input-only' : '', p.strapping ? `strapping: ${p.strapping}` : '', p.adc ? p.adc : '', p.sharedWith ?? ''].filter(Boolean).join('; '),
  ]);
}

function describe(b: Board): string {
  const lines = [
    `${b.name} (${b.id})`,
    `  soc ${b.soc}${b.module ? `, module ${b.module}` : ''}; runtime ${b.runtime}${b.moddable ? ` (mcconfig -p ${b.moddable.platform})` : ''}`,
    `  memory: ${b.memory.ramKiB} KiB RAM, ${b.memory.flashMiB} MiB flash, ${b.memory.psramMiB} MiB PSRAM; logic ${b.logicVoltage} V`,
    `  radios: Wi-Fi ${b.radios.wifi || 'none'}; BLE ${b.radios.ble || 'none'}`,
    `  i2c (${b.i2c.routing} routing): ${b.i2c.buses.map((x) => `bus ${x.id} SDA ${x.sda}/SCL ${x.scl}${x.default ? ' (default)' : ''}${x.device ? ` ${x.device}` : ''}`).join('; ')}`,
    `  pwm: ${b.pwm.channels} channels${b.pwm.note ? ` (${b.pwm.note})` : ''}`,
    `  audio out: ${b.audio.out.map((a) => a.kind).join(', ') || 'none'}; in: ${b.audio.in.map((a) => a.kind).join(', ') || 'none'}`,
    `  gpio backend: ${b.gpio.backend}${b.gpio.chip ? ` (${b.gpio.chip})` : ''}`,
    '',
    table(['GPIO', 'label', 'header', 'capabilities', 'notes'], pinRows(b)),
  ];
  return lines.join('\n');
}

export const boardsCommand: Command = {
  name: 'boards',
  summary: "List boards, show one board's pins, or which pins can serve a use",
  usage: 'fazt boards [<id>] [--can <use>] [--allow-strapping] [--json]',
  help: 'Without <id>, lists every board. Strapping pins are excluded unless --allow-strapping is given.',
  args: '[id]',
  options: {
    json: { type: 'boolean', description: 'print JSON instead of a table' },
    can: { type: 'string', value: 'USE', description: `list the pins that can serve USE (${PIN_USES.join(', ')}), and why each other pin cannot` },
    'allow-strapping': { type: 'boolean', description: 'count strapping pins as usable with --can' },
  },
  run: ({ positionals, values, out }) => {
    const json = values.json === true;
    if (positionals.length > 1) throw new UsageError(`boards takes at most one board id, got ${positionals.length}`);
    if (positionals.length === 0) {
      if (values.can !== undefined) throw new UsageError('--can needs a board id: fazt boards <id> --can <use>');
      const boards = [...loadBoards().values()];
      if (json)
        out(
          JSON.stringify(
            boards.map((b) => ({ id: b.id, name: b.name, runtime: b.runtime, soc: b.soc })),
            null,
            2,
          ) + '\n',
        );
      else
        out(
          table(
            ['id', 'name', 'runtime', 'soc'],
            boards.map((b) => [b.id, b.name, b.runtime, b.soc]),
          ) + '\n',
        );
      return;
    }
    const board = getBoard(positionals[0]);
    if (values.can === undefined) {
      out(json ? JSON.stringify(board, null, 2) + '\n' : describe(board) + '\n');
      return;
    }
    const use = String(values.can);
    if (!isPinUse(use)) throw new UsageError(`unknown use '${use}'; one of ${PIN_USES.join(', ')}`);
    const strap = values['allow-strapping'] === true;
    const usable: number[] = [];
    const excluded: { gpio: number; reason: string }[] = [];
    for (const p of board.pins) {
      const ex = pinExclusion(board, p.gpio, use, strap);
      if (ex) excluded.push({ gpio: p.gpio, reason: ex.reason });
      else usable.push(p.gpio);
    }
    if (json) {
      out(JSON.stringify({ board: board.id, use, usable, excluded }, null, 2) + '\n');
      return;
    }
    out(`${board.id}: ${usable.length} pins can do ${use}: ${usable.join(', ') || 'none'}\n`);
    if (excluded.length)
      out(
        `excluded:\n${table(
          ['GPIO', 'why not'],
          excluded.map((e) => [String(e.gpio), e.reason]),
        )}\n`,
      );
  },
};
