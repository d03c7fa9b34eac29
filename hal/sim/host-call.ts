import type { HealthFigures, HealthSource } from '../contracts/health.js';
import { FaztError } from '../contracts/errors.js';
import type {
  AudioIn,
  AudioOut,
  BleScanner,
  Datagram,
  Digital,
  DigitalOptions,
  HalBackend,
  I2C,
  I2cOptions,
  PWM,
  PwmOptions,
  UDP,
  UdpOptions,
} from '../contracts/io.js';
import type { Clock } from '../contracts/time.js';
import { fromWire, toWire, type WireValue } from './bridge-values.js';

/**
 * The sim backend as firmware sees it inside XS: a thin proxy. Each open and
 * each method call is a synchronous call to the simulator on the host
 * (xsnap's issueCommand), which runs it on the real sim backend, so claims,
 * errors, device models and simulated time are the very same objects as on
 * Node. Edge callbacks (a pin's edge, a datagram's arrival) travel back
 * piggybacked on replies (`edges`: every reply, so a guest that only polls
 * the clock still gets them) and are dispatched here before the call
 * returns. Values cross as JSON with bytes as number arrays (bridge-values.ts). `call`
 * is injected by the guest.
 */
export type HostRequest =
  | { op: 'open'; kind: OpenKind; options: Record<string, unknown>; reader?: boolean }
  | { op: 'call'; handle: number; method: string; args: WireValue[] }
  /** Reads a property of an open io (a UDP socket's port). */
  | { op: 'get'; handle: number; property: string }
  | { op: 'now' }
  | { op: 'delay'; ms: number }
  /** Bring the simulator's clock (and its device models' timers) up to `time`. */
  | { op: 'advanceTo'; time: number }
  /** POST a signed batch (hex) to the hub; the reply is {status, body}. */
  | { op: 'uplink'; hex: string; hub?: number }
  /** POST a signed downlink poll (hex) to the hub; the reply is {status, body}. */
  | { op: 'downlink'; hex: string; hub?: number }
  /** POST a body (hex) to a URL from the host's network (enrolment, uplink to a discovered hub); the reply is {status, body} or {error}. */
  | { op: 'http'; url: string; contentType: string; hex: string }
  | { op: 'backdoor'; action: string; args: unknown[] }
  /** The board's health figures (HealthFigures). */
  | { op: 'health' }
  /** A Preferences method (hal/contracts/preferences.ts) on the store the host keeps for this node. */
  | { op: 'preferences'; method: 'get' | 'set' | 'delete' | 'keys'; args: WireValue[] }
  /** POST a signed firmware chunk request (hex) to the hub; the reply is {status, body} or {error}. */
  | { op: 'chunk'; hex: string }
  /** An Ota method or property (hal/contracts/ota.ts) on the OTA slots the host keeps for this node (its flash). */
  | { op: 'ota'; method: OtaMember; args: WireValue[] }
  /** Reboot into the committed image: the host ends this machine's boot. */
  | { op: 'restart' };

/** What of the Ota contract crosses the bridge: its methods, and its two properties read as calls. */
export type OtaMember = 'begin' | 'write' | 'commit' | 'abort' | 'confirm' | 'pendingVerify' | 'rolledBackFrom';

export interface HostError {
  name: string;
  code?: string;
  message: string;
}

export type OpenKind = 'i2c' | 'digital' | 'pwm' | 'udp';

export type HostReply = { ok: WireValue; edges?: number[] } | { err: HostError; edges?: number[] };

export type HostCall = (request: HostRequest) => HostReply;

/** Rebuilds the host's error on this side: TypeError/RangeError stay themselves; others keep their code. */
function rethrow(err: HostError): never {
  if (err.name === 'TypeError') throw new TypeError(err.message);
  if (err.name === 'RangeError') throw new RangeError(err.message);
  const e = new FaztError(err.code ?? 'unknown', err.message);
  Object.defineProperty(e, 'name', { value: err.name, writable: true, configurable: true }); // Error.prototype may be frozen (as in a Moddable build)
  throw e;
}

export class HostCallBackend implements HalBackend {
  readonly name = 'sim' as const;
  private readonly readers = new Map<number, () => void>();

  constructor(private readonly call: HostCall) {}

  /** Sends a request, dispatches any edges that came back, returns the result. */
  request(req: HostRequest): unknown {
    const reply = this.call(req);
    if (reply.edges) for (const h of reply.edges) this.readers.get(h)?.();
    if ('err' in reply) rethrow(reply.err);
    return fromWire(reply.ok);
  }

  private method(handle: number, method: string, args: unknown[]): unknown {
    return this.request({ op: 'call', handle, method, args: args.map(toWire) });
  }

  private open(kind: OpenKind, options: object): number {
    const plain: Record<string, unknown> = {};
    for (const k in options) if (typeof (options as Record<string, unknown>)[k] !== 'function') plain[k] = (options as Record<string, unknown>)[k];
    const reader = typeof (options as DigitalOptions).onReadable === 'function';
    return this.request({ op: 'open', kind, options: plain, reader }) as number;
  }

  i2c(options: I2cOptions): I2C {
    const h = this.open('i2c', options);
    const m = (name: string, ...args: unknown[]) => this.method(h, name, args);
    return {
      address: options.address,
      read: (count, stop) => m('read', count, stop) as Uint8Array,
      write: (bytes, stop) => void m('write', bytes, stop),
      writeRead: (bytes, count) => m('writeRead', bytes, count) as Uint8Array,
      close: () => void m('close'),
    };
  }

  digital(options: DigitalOptions): Digital {
    const h = this.open('digital', options);
    if (options.onReadable) this.readers.set(h, options.onReadable);
    const m = (name: string, ...args: unknown[]) => this.method(h, name, args);
    return {
      read: () => m('read') as 0 | 1,
      write: (v) => void m('write', v),
      close: () => {
        m('close');
        this.readers.delete(h);
      },
    };
  }

  pwm(options: PwmOptions): PWM {
    const h = this.open('pwm', options);
    const m = (name: string, ...args: unknown[]) => this.method(h, name, args);
    return { hz: options.hz, resolution: options.resolution ?? 10, write: (d) => void m('write', d), close: () => void m('close') };
  }

  /** The simulated board's health figures, read on the host (the scenario scripts them on its SimBoard). */
  health(): HealthSource {
    return { read: () => this.request({ op: 'health' }) as HealthFigures };
  }

  /** A socket on the simulated board's network (the host's, through the sim backend). */
  udp(options: UdpOptions): UDP {
    const h = this.open('udp', options);
    if (options.onReadable) this.readers.set(h, options.onReadable);
    const m = (name: string, ...args: unknown[]) => this.method(h, name, args);
    const request = (req: HostRequest) => this.request(req);
    return {
      get port() {
        return request({ op: 'get', handle: h, property: 'port' }) as number;
      },
      read: () => (m('read') as Datagram | null) ?? undefined,
      write: (bytes, address, port) => void m('write', bytes, address, port),
      close: () => {
        m('close');
        this.readers.delete(h);
      },
    };
  }

  audioOut(): AudioOut {
    throw new FaztError('unsupported', 'audio is not bridged into XS');
  }

  audioIn(): AudioIn {
    throw new FaztError('unsupported', 'audio is not bridged into XS');
  }

  bleScanner(): BleScanner {
    throw new FaztError('unsupported', 'BLE is not bridged into XS');
  }
}

export class HostCallClock implements Clock {
  constructor(private readonly backend: HostCallBackend) {}

  now(): number {
    return this.backend.request({ op: 'now' }) as number;
  }

  delay(ms: number): void {
    if (!(ms >= 0)) throw new RangeError(`delay must be ≥ 0 ms, got ${ms}`);
    this.backend.request({ op: 'delay', ms });
  }
}
