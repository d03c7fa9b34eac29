import { parseJsonBody } from '../../host/hub/decode-uplink.js';
import { HttpError } from '../../host/hub/http-error.js';
import { readBody } from '../../host/hub/read-body.js';
import { sendJson } from '../../host/hub/reply.js';
import { type Handler, type Routes, requireType, route } from '../../host/hub/route.js';
import { constant } from '../environment/signals.js';
import { I2cDeviceModel } from '../i2c/i2c-device-model.js';
import { ButtonModel } from '../models/button-model.js';
import { PirModel } from '../models/pir-model.js';
import type { SimBoard } from '../world/sim-board.js';
import type { DemoNode } from './demo-nodes.js';
import type { SampleResult, SimulatedNode } from './simulated-node.js';

/** The environment a slider moves: which model input, its range and where it starts. */
const ENVIRONMENT: Record<string, { input: string; min: number; max: number; step: number; unit: string; start: number }> = {
  temperature: { input: 'temperature', min: -10, max: 40, step: 0.5, unit: '°C', start: 21 },
  humidity: { input: 'humidity', min: 0, max: 100, step: 1, unit: '%', start: 45 },
  light: { input: 'illuminance', min: 0, max: 2000, step: 10, unit: 'lx', start: 350 },
};
const MEASURES: Record<string, string[]> = { bme280: ['temperature', 'humidity'], sht4x: ['temperature', 'humidity'], bh1750: ['light'] };
const LOG_LINES = 500;

interface Entry {
  demo: DemoNode;
  board: SimBoard;
  node: SimulatedNode;
  env: Record<string, number>;
  log: string[];
  logged: number;
}

/**
 * The simulator you can touch (the dashboard's simulator page), for the
 * boards `fazt start` runs: their devices and pins, the environment as
 * sliders, motion, presses and faults (unplug, replug, NACK, CRC), and each
 * node's log. Changes go to the device models the firmware reads in XS.
 */
export class SimControls {
  private readonly boards = new Map<string, Entry>();

  add(demo: DemoNode, board: SimBoard, node: SimulatedNode): void {
    this.boards.set(demo.name, { demo, board, node, env: {}, log: [], logged: 0 });
  }

  /** A line of the node's log (what it recorded, as the serial monitor shows it). */
  log(node: string, line: string): void {
    const e = this.boards.get(node);
    if (!e) return;
    e.log.push(line);
    e.logged++;
    if (e.log.length > LOG_LINES) e.log.shift();
  }

  private entry(name: unknown): Entry {
    const e = typeof name === 'string' ? this.boards.get(name) : undefined;
    if (!e) throw new HttpError(400, 'bad-request', `node must be one of the simulated nodes (${[...this.boards.keys()].join(', ')})`, { path: '/node' });
    return e;
  }

  routes(): Routes {
    const list: Handler = (_req, res) =>
      sendJson(res, 200, {
        nodes: [...this.boards.values()].map((e) => ({
          name: e.demo.name,
          id: e.node.id,
          board: e.demo.board,
          runtime: e.node.runtime,
          devices: e.demo.sensors.map((s) => ({
            name: s.name,
            driver: s.driver,
            pins: s.i2c ? `I2C 0x${s.i2c.address.toString(16)}` : s.pin !== undefined ? `GPIO ${s.pin}` : '',
            actions: this.actions(e.board.devices.get(s.name)),
          })),
          environment: Object.fromEntries(
            e.demo.sensors
              .flatMap((s) => MEASURES[s.driver] ?? [])
              .map((k) => [
                k,
                {
                  value: e.env[k] ?? ENVIRONMENT[k].start,
                  min: ENVIRONMENT[k].min,
                  max: ENVIRONMENT[k].max,
                  step: ENVIRONMENT[k].step,
                  unit: ENVIRONMENT[k].unit,
                },
              ]),
          ),
        })),
      });

    // After the world changes, the node is poked (an interrupt, ESPHome's component.update): the
    // sensors that see the change sample at once and send it. `"sample": false` leaves them to their
    // schedule (the path before the poke; bench/sim-latency.ts measures both).
    const environment: Handler = async (req, res) => {
      const body = await jsonBody(req);
      const e = this.entry(body.node);
      if (body.sample !== undefined && typeof body.sample !== 'boolean')
        throw new HttpError(400, 'bad-request', 'sample must be true or false', { path: '/sample' });
      const poked = new Set<string>();
      for (const [k, v] of Object.entries(body)) {
        if (k === 'node' || k === 'sample') continue;
        const spec = ENVIRONMENT[k];
        if (!spec) throw new HttpError(400, 'bad-request', `unknown field '${k}' (known: node, ${Object.keys(ENVIRONMENT).join(', ')})`, { path: `/${k}` });
        if (typeof v !== 'number' || !(v >= spec.min && v <= spec.max))
          throw new HttpError(400, 'bad-request', `${k} must be a number from ${spec.min} to ${spec.max}`, { path: `/${k}` });
        const sensors = e.demo.sensors.filter((s) => (MEASURES[s.driver] ?? []).includes(k));
        if (sensors.length === 0) throw new HttpError(400, 'bad-request', `${e.demo.name} measures no ${k}`, { path: `/${k}` });
        for (const s of sensors) {
          const m = e.board.devices.get(s.name);
          if (m instanceof I2cDeviceModel) m.setSignal(spec.input, constant(v));
          poked.add(s.name);
        }
        e.env[k] = v;
      }
      const sample: SampleResult | undefined = body.sample === false ? undefined : await e.node.sampleNow([...poked], Date.now());
      sendJson(res, 200, { node: e.demo.name, environment: e.env, ...(sample && { sample }) });
    };

    const device: Handler = async (req, res) => {
      const body = await jsonBody(req);
      const e = this.entry(body.node);
      const model = typeof body.device === 'string' ? e.board.devices.get(body.device) : undefined;
      if (!model) throw new HttpError(400, 'bad-request', `device must be one of ${[...e.board.devices.keys()].join(', ')}`, { path: '/device' });
      const action = String(body.action);
      if (!this.actions(model).includes(action))
        throw new HttpError(400, 'bad-request', `action must be one of ${this.actions(model).join(', ')}`, { path: '/action' });
      if (model instanceof PirModel) model.motion();
      else if (model instanceof ButtonModel) model.click(150);
      else if (model instanceof I2cDeviceModel) {
        if (action === 'unplug') model.unplug();
        else if (action === 'replug') model.replug();
        else if (action === 'nack') model.nackNext(3);
        else model.corruptNext(3);
      }
      this.log(e.demo.name, `[sim] ${String(body.device)}: ${action}`);
      // The edge reaches the firmware now, not at the demo's next turn (a pin interrupt); an I2C fault shows at the next sample.
      if (model instanceof PirModel || model instanceof ButtonModel) await e.node.sampleNow([], Date.now());
      sendJson(res, 200, { node: e.demo.name, device: body.device, action });
    };

    const log: Handler = (_req, res, url) => {
      const e = this.entry(url.searchParams.get('node'));
      const after = Number(url.searchParams.get('after') ?? 0);
      if (!Number.isSafeInteger(after) || after < 0) throw new HttpError(400, 'bad-query', 'after must be a whole number');
      const first = e.logged - e.log.length;
      sendJson(res, 200, { lines: e.log.slice(Math.max(0, after - first)), next: e.logged });
    };

    // Who may call: reading the boards and their logs, scope read; moving the world or a device, admin.
    return {
      '/v1/sim': { GET: route('read', list) },
      '/v1/sim/environment': { POST: route('admin', environment) },
      '/v1/sim/device': { POST: route('admin', device) },
      '/v1/sim/log': { GET: route('read', log) },
    };
  }

  private actions(model: object | undefined): string[] {
    if (model instanceof PirModel) return ['motion'];
    if (model instanceof ButtonModel) return ['press'];
    if (model instanceof I2cDeviceModel) return ['unplug', 'replug', 'nack', 'crc'];
    return [];
  }
}

async function jsonBody(req: Parameters<Handler>[0]): Promise<Record<string, unknown>> {
  requireType(req, ['application/json']);
  const body = parseJsonBody(await readBody(req, 4096));
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new HttpError(400, 'bad-request', 'send a JSON object');
  return body as Record<string, unknown>;
}
