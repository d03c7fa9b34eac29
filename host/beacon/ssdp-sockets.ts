import type { Socket } from 'node:dgram';
import type { Client, Server, SsdpHeaders } from 'node-ssdp';
import type { BeaconState } from '../../firmware/beacon/beacon-record.js';
import { FaztError } from '../../hal/contracts/errors.js';

/** How long binding SSDP's sockets may take before start() gives up (node-ssdp reports bind errors only to its logger). */
const BIND_TIMEOUT_MS = 5000;

export interface SsdpSocketsOptions {
  /** SSDP's port (1900); tests and benchmarks may move it. */
  ssdpPort: number;
  /** Interface names to use (default: every non-internal IPv4 interface). */
  interfaces?: string[];
  /** The search target announced and answered. */
  target: string;
  udn: string;
  /** LOCATION: this port and path on the address each packet leaves from. */
  location: { port: number; path: string };
  announceMs: number;
  /** Sent with every NOTIFY and answer: node-ssdp keeps this very object and sends its entries as they are at each send. */
  headers: Record<string, string>;
  /** Runs before every announcement, so `headers` can be signed afresh in place. */
  beforeAnnounce: (state: BeaconState) => void;
  /** A NOTIFY (alive or bye) or an answer to our search (alive), for whatever target it names. */
  onPacket: (target: string | undefined, headers: SsdpHeaders, address: string, state: BeaconState) => void;
}

/** The node-ssdp internals adjusted here (the package has no option for them). */
interface Internals {
  _initAdLoop: () => void;
  _startAdLoop: () => void;
  _stopAdLoop: () => void;
  _stop: () => void;
  _adLoopInterval: unknown;
  sockets: Record<string, Socket> | null;
}

/**
 * The hub's SSDP sockets, on node-ssdp: a server that announces on the
 * group every announceMs and answers M-SEARCH for the target, hearing the
 * others' NOTIFYs on the same sockets, and a client whose searches' answers
 * come back. What node-ssdp does not offer is adjusted here and only here:
 * the first announcement goes out at once, not after a 3 s timer stop()
 * cannot clear; every announcement is preceded by beforeAnnounce; a bind
 * failure fails start(); close() says goodbye after the loop has stopped.
 * node-ssdp (and the bluebird it brings, ~12 MB) loads with the first
 * sockets: a hub without a beacon never loads it.
 */
export class SsdpSockets {
  private readonly server: Server;
  private readonly client: Client;

  static async create(o: SsdpSocketsOptions): Promise<SsdpSockets> {
    return new SsdpSockets(o, (await import('node-ssdp')).default);
  }

  private constructor(
    private readonly o: SsdpSocketsOptions,
    ssdp: typeof import('node-ssdp').default,
  ) {
    const common = { ssdpPort: o.ssdpPort, interfaces: o.interfaces, customLogger: () => {} };
    const server = new ssdp.Server({
      ...common,
      headers: o.headers,
      sourcePort: o.ssdpPort,
      location: o.location,
      udn: o.udn,
      adInterval: o.announceMs,
      suppressRootDeviceAdvertisements: true,
    });
    const internals = server as unknown as Internals;
    internals._initAdLoop = () => internals._startAdLoop();
    server.addUSN(o.target);
    server.on('advertise-alive', (h, r) => o.onPacket(h.NT, h, r.address, 'alive'));
    server.on('advertise-bye', (h, r) => o.onPacket(h.NT, h, r.address, 'bye'));
    const announce = server.advertise.bind(server);
    // Replaced before start(): the announcement loop binds whatever advertise is then.
    server.advertise = (alive?: boolean) => {
      o.beforeAnnounce(alive === false ? 'bye' : 'alive');
      announce(alive);
    };
    const client = new ssdp.Client({ ...common, headers: {} });
    client.on('response', (h, _status, r) => o.onPacket(h.ST, h, r.address, 'alive'));
    this.server = server;
    this.client = client;
  }

  /** Binds both; on failure nothing stays bound or scheduled. */
  async start(): Promise<void> {
    const server = this.server as unknown as Internals;
    const client = this.client as unknown as Internals;
    try {
      await bound(this.server.start(), () => server.sockets, this.o.ssdpPort);
      await bound(this.client.start(), () => client.sockets, 0);
    } catch (e) {
      if (server._adLoopInterval) server._stopAdLoop();
      if (server.sockets) server._stop();
      if (client.sockets) this.client.stop();
      throw e;
    }
  }

  /** ssdp:alive now (the loop carries on every announceMs). */
  announce(): void {
    this.server.advertise();
  }

  /** An M-SEARCH for the target; answers arrive through onPacket. */
  search(): void {
    this.client.search(this.o.target);
  }

  /** Closes the client, then says goodbye and closes the server once the byebye has left. */
  async close(): Promise<void> {
    this.client.stop();
    const server = this.server as unknown as Internals;
    // No alive may follow the goodbye: stop the announcement loop first.
    server._stopAdLoop();
    this.server.advertise(false);
    await new Promise((ok) => setTimeout(ok, 100));
    server._stop();
  }
}

/** Waits for node-ssdp to bind its sockets; it reports a bind failure only to its logger, so watch the sockets too. */
async function bound(started: Promise<void>, sockets: () => Record<string, Socket> | null, port: number): Promise<void> {
  let fail: (e: Error) => void = () => {};
  const failed = new Promise<never>((_, reject) => (fail = reject));
  const onError = (e: Error) => fail(new FaztError('beacon-bind', `cannot bind UDP port ${port} for SSDP: ${e.message}`));
  const list = Object.values(sockets() ?? {});
  for (const s of list) s.once('error', onError);
  const timer = setTimeout(() => fail(new FaztError('beacon-bind', `SSDP sockets not bound within ${BIND_TIMEOUT_MS} ms`)), BIND_TIMEOUT_MS);
  try {
    await Promise.race([started, failed]);
  } finally {
    clearTimeout(timer);
    for (const s of list) s.off('error', onError);
  }
}
