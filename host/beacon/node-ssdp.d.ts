/** The part of node-ssdp 4.0.1 the hub uses (the package ships no types). */
declare module 'node-ssdp' {
  import type { EventEmitter } from 'node:events';
  import type { RemoteInfo } from 'node:dgram';

  export type SsdpHeaders = Record<string, string>;

  export interface SsdpOptions {
    location?: string | { protocol?: string; port: number; path: string } | (() => string);
    udn?: string;
    headers?: Record<string, string>;
    adInterval?: number;
    sourcePort?: number;
    ssdpPort?: number;
    ssdpIp?: string;
    ssdpTtl?: number;
    ttl?: number;
    interfaces?: string[];
    explicitSocketBind?: boolean;
    reuseAddr?: boolean;
    suppressRootDeviceAdvertisements?: boolean;
    customLogger?: (...args: unknown[]) => void;
  }

  interface SsdpEvents extends EventEmitter {
    on(event: 'advertise-alive' | 'advertise-bye', listener: (headers: SsdpHeaders, rinfo: RemoteInfo) => void): this;
    on(event: 'response', listener: (headers: SsdpHeaders, statusCode: number, rinfo: RemoteInfo) => void): this;
  }

  export class Server extends EventEmitter implements SsdpEvents {
    constructor(options?: SsdpOptions);
    addUSN(usn: string): void;
    start(): Promise<void>;
    stop(): void;
    advertise(alive?: boolean): void;
    on(event: 'advertise-alive' | 'advertise-bye', listener: (headers: SsdpHeaders, rinfo: RemoteInfo) => void): this;
    on(event: 'response', listener: (headers: SsdpHeaders, statusCode: number, rinfo: RemoteInfo) => void): this;
  }

  export class Client extends EventEmitter implements SsdpEvents {
    constructor(options?: SsdpOptions);
    start(): Promise<void>;
    stop(): void;
    search(serviceType: string): void;
    on(event: 'advertise-alive' | 'advertise-bye', listener: (headers: SsdpHeaders, rinfo: RemoteInfo) => void): this;
    on(event: 'response', listener: (headers: SsdpHeaders, statusCode: number, rinfo: RemoteInfo) => void): this;
  }

  /** CommonJS: under ESM only the default export is reliable. */
  const ssdp: { Server: typeof Server; Client: typeof Client };
  export default ssdp;
}
