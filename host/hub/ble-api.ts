import type { IncomingMessage } from 'node:http';
import { bleComponent, parseBleKey, parseMac } from '../ble/ble-mac.js';
import { type BleDevice, BleDevices } from '../store/ble-devices.js';
import type { Cartridge } from '../store/cartridge.js';
import { HttpError } from './http-error.js';
import type { HubLog } from './hub-log.js';
import { askedBy, jsonObject } from './mesh-http.js';
import type { OwnerAccess } from './owner-access.js';
import { sendJson } from './reply.js';
import { type Routes, route } from './route.js';

/** A device as the API shows it: whether it has a key, never the key. */
const shown = (d: BleDevice) => ({
  mac: d.mac,
  name: d.name ?? null,
  encrypted: d.key !== undefined,
  addedAt: d.addedAt,
  lastCounter: d.lastCounter ?? null,
  resetPending: d.resetPending,
});

/**
 * BTHome devices on the hub (`fazt ble`):
 * - GET /v1/ble/devices (read): each configured device, whether it has a key, its last accepted counter;
 * - POST /v1/ble/devices {mac, name?, key?} (admin): add or change one (system.ble.added; the key, 32 hex digits, is never logged);
 * - POST /v1/ble/devices/remove {mac} (admin): its advertisements are ignored from now on (system.ble.removed);
 * - POST /v1/ble/devices/accept-reset {mac} (admin): accept its next counter once, whatever it is, after a battery
 *   change restarted it (system.ble.reset-allowed now, system.ble.reset when it happens).
 */
export function bleRoutes(ctx: { cartridge: Cartridge; clock: () => number; hubLog: () => HubLog; access: OwnerAccess }): Routes {
  const devices = new BleDevices(ctx.cartridge.db);
  const field = <T>(what: string, f: () => T): T => {
    try {
      return f();
    } catch (e) {
      if (e instanceof RangeError || e instanceof TypeError) throw new HttpError(400, 'bad-request', e.message, { path: `/${what}` });
      throw e;
    }
  };
  const configured = (v: unknown): string => {
    const mac = field('mac', () => parseMac(v as string));
    if (!devices.get(mac)) throw new HttpError(404, 'not-found', `no BLE device ${mac} is configured (fazt ble list shows them)`);
    return mac;
  };
  const change = async (req: IncomingMessage, type: 'system.ble.removed' | 'system.ble.reset-allowed', apply: (mac: string) => void) => {
    const mac = configured((await jsonObject(req, ['mac'])).mac);
    const log = ctx.hubLog();
    log.atomically(() => {
      apply(mac);
      log.append(type, bleComponent(mac), { mac, by: askedBy(ctx.access, req) });
    });
    return mac;
  };

  return {
    '/v1/ble/devices': {
      GET: route('read', (_req, res) => sendJson(res, 200, { devices: devices.list().map(shown) })),
      POST: route('admin', async (req, res) => {
        const b = await jsonObject(req, ['mac', 'name', 'key']);
        const mac = field('mac', () => parseMac(b.mac as string));
        if (b.name !== undefined && (typeof b.name !== 'string' || b.name.length === 0 || b.name.length > 64))
          throw new HttpError(400, 'bad-request', 'name must be 1 to 64 characters', { path: '/name' });
        const key = b.key === undefined || b.key === null ? undefined : field('key', () => parseBleKey(b.key as string));
        const name = b.name as string | undefined;
        const log = ctx.hubLog();
        const d = log.atomically(() => {
          const added = devices.add({ mac, name, key }, Math.floor(ctx.clock()));
          const data = { mac, encrypted: key !== undefined, by: askedBy(ctx.access, req), ...(name ? { name } : {}) };
          log.append('system.ble.added', bleComponent(mac), data);
          return added;
        });
        sendJson(res, 200, shown(d));
      }),
    },
    '/v1/ble/devices/remove': {
      POST: route('admin', async (req, res) => {
        const mac = await change(req, 'system.ble.removed', (m) => devices.remove(m, Math.floor(ctx.clock())));
        sendJson(res, 200, { mac, removed: true });
      }),
    },
    '/v1/ble/devices/accept-reset': {
      POST: route('admin', async (req, res) => {
        const mac = await change(req, 'system.ble.reset-allowed', (m) => devices.acceptReset(m));
        sendJson(res, 200, { mac, resetPending: true });
      }),
    },
  };
}
