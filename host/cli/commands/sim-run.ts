import { createWriteStream, type WriteStream } from 'node:fs';
import { stringifyJson } from '../../../firmware/codec/json-form.js';
import type { Value } from '../../../firmware/codec/value.js';
import type { EventEntry } from '../../../firmware/event/envelope.js';
import type { Reading } from '../../../firmware/event/reading.js';
import { loadScenario } from '../../../sim/scenario/load-scenario.js';
import { ScenarioRun, type SimNode } from '../../../sim/scenario/scenario-run.js';
import { UsageError, type Command } from '../command.js';
import { durationFlag } from '../duration-flag.js';
import { readingText } from '../reading-text.js';

function line(node: SimNode, e: EventEntry): string {
  const at = new Date(e.time).toISOString().replace('T', ' ').slice(0, 23);
  const comp = e.source.slice(e.source.indexOf('/') + 1);
  const d = e.data as unknown as Record<string, Value>;
  if (e.type === 'sensor.reading') {
    const r = d as unknown as Reading;
    const flags = r.flags ? ` [${r.flags.join(',')}]` : '';
    const resolution = node.channels.get(comp)?.find((c) => c.name === r.name)?.resolution;
    return `${at} ${node.name} ${comp} ${readingText(r, resolution)} ${r.quality}${flags}`;
  }
  if (e.type === 'sensor.state') return `${at} ${node.name} ${comp} state ${String(d.from)} → ${String(d.to)} (${String(d.reason)})`;
  return `${at} ${node.name} ${comp} ${e.type} ${stringifyJson(e.data)}`;
}

export const simRunCommand: Command = {
  name: 'run',
  summary: 'Run a scenario in simulated time; print or write its readings and lifecycle events',
  usage: 'fazt sim run <scenario.json> [--board <name>] [--duration 24h] [--out events.jsonl] [--states-only]',
  help: 'Scenario files are described by schemas/scenario.schema.json; examples in sim/scenarios/.\n--out writes every event (JSON form, one per line); without it, a line per reading and state change.',
  args: '[scenario]',
  options: {
    board: { type: 'string', value: 'NAME', description: 'run only this board of the scenario' },
    duration: { type: 'string', value: 'DURATION', description: "how much simulated time to run, e.g. 24h (default: the scenario's duration)" },
    out: { type: 'string', short: 'o', value: 'FILE', description: 'write every event to FILE (JSON form, one per line) instead of printing lines' },
    'states-only': { type: 'boolean', description: 'print state changes and driver events, not every reading' },
  },
  run: async ({ positionals, values, out }) => {
    if (positionals.length !== 1) throw new UsageError('sim run takes one scenario file');
    const scenario = loadScenario(positionals[0]);
    let file: WriteStream | undefined;
    if (typeof values.out === 'string') file = createWriteStream(values.out);
    const statesOnly = values['states-only'] === true;
    let buffered: string[] = [];
    const flush = () => {
      if (buffered.length) out(buffered.join('\n') + '\n');
      buffered = [];
    };
    const sim = new ScenarioRun(scenario, {
      boards: typeof values.board === 'string' ? [values.board] : undefined,
      onEvent: (node, e) => {
        if (file) file.write(stringifyJson({ node: node.name, ...(e as unknown as Record<string, Value>) }) + '\n');
        else if (!statesOnly || e.type !== 'sensor.reading') {
          buffered.push(line(node, e));
          if (buffered.length >= 512) flush();
        }
      },
    });
    const duration = typeof values.duration === 'string' ? durationFlag(values.duration, '--duration') : sim.defaultDurationMs;
    const t0 = process.hrtime.bigint();
    // In slices, so output streams out and a long run shows progress.
    for (let done = 0; done < duration; ) {
      const step = Math.min(3_600_000, duration - done);
      sim.runFor(step);
      done += step;
      flush();
    }
    sim.stop();
    flush();
    const wallMs = Number(process.hrtime.bigint() - t0) / 1e6;
    if (file) await new Promise<void>((r) => (file as WriteStream).end(r));
    const events = sim.nodes.reduce((a, n) => a + n.events, 0);
    process.stderr.write(
      `simulated ${duration / 1000} s on ${sim.nodes.length} board(s) in ${(wallMs / 1000).toFixed(2)} s (${Math.round(duration / wallMs)}× real time): ${events} events${file ? ` → ${String(values.out)}` : ''}\n`,
    );
  },
};
