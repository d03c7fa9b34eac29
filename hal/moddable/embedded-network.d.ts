/**
 * The parts of Moddable's network modules the device build uses, declared by
 * the project (like embedded-io.d.ts; @moddable/typings is not a dependency).
 * Shapes follow ECMA-419 2nd edition (the HTTP client, TCP/UDP socket and
 * DNS resolver class patterns) as Moddable implements them in
 * examples/io/tcp/httpclient/httpclient.js, modules/io/socket/lwip and
 * examples/io/udp/dns/dns.js; `net` is Moddable's modules/network/net.
 * Only mcconfig builds resolve these modules (mcconfig type-checks against
 * Moddable's own typings); on Node the transport gets a client injected.
 */
declare module 'embedded:network/http/client' {
  /** `this` in the request callbacks. */
  export interface HTTPClientRequest {
    /** Up to `count` bytes of the response body (undefined outside the body phase). */
    read(count?: number): ArrayBuffer | undefined;
    /** Part of the request body; at most the count onWritable offered. Throws "would block" beyond it. */
    // biome-ignore lint/suspicious/noConfusingVoidType: ECMA-419 lets write() return nothing; implementations that do are typed void.
    write(data: ArrayBuffer | ArrayBufferView | undefined): number | void;
  }

  export interface HTTPClientRequestOptions {
    method?: string;
    path?: string;
    /** content-length makes the client ask for exactly that many body bytes through onWritable. */
    headers?: Map<string, string>;
    onHeaders?: (this: HTTPClientRequest, status: number, headers: Map<string, string>, statusText: string) => void;
    onReadable?: (this: HTTPClientRequest, count: number) => void;
    onWritable?: (this: HTTPClientRequest, count: number) => void;
    /** null when the exchange completed; an Error (often with an empty message) when the connection failed. */
    onDone?: (this: HTTPClientRequest, error: Error | null) => void;
  }

  export interface HTTPClientOptions {
    host: string;
    port?: number;
    /** The socket class that carries the connection, e.g. {io: TCP}. */
    socket: { io: unknown };
    /** The resolver class and its options, e.g. {io: Resolver, servers, socket: {io: UDP}}. */
    dns: { io: unknown; servers?: string[]; socket?: { io: unknown } };
    /** The connection failed (after every pending request's onDone(error)). */
    onError?: (error?: unknown) => void;
  }

  export default class HTTPClient {
    constructor(options: HTTPClientOptions);
    request(options: HTTPClientRequestOptions): HTTPClientRequest;
    close(): void;
  }
}

declare module 'embedded:io/socket/tcp' {
  export default class TCP {
    constructor(options: {
      address?: string;
      host?: string;
      port: number;
      onReadable?: (count: number) => void;
      onWritable?: (count: number) => void;
      onError?: () => void;
    });
    close(): void;
  }
}

/** Moddable's modules/io/socket/lwip/udp.c (esp32): see hal/moddable/moddable-udp.ts for what the mapping relies on. */
declare module 'embedded:io/socket/udp' {
  export default class UDP {
    constructor(options: { port?: number; timeToLive?: number; onReadable?: (packets: number) => void; onError?: () => void });
    /** The next datagram, carrying its sender; undefined when none waits. */
    read(): (ArrayBuffer & { address: string; port: number }) | undefined;
    write(buffer: ArrayBuffer | ArrayBufferView, address: string, port: number): void;
    /** Joins / leaves a multicast group on every interface. */
    add(group: string): void;
    remove(group: string): void;
    close(): void;
  }
}

declare module 'embedded:network/dns/resolver/udp' {
  export default class Resolver {
    constructor(options: { servers: string[]; socket: { io: unknown } });
    resolve(options: { host: string; onResolved?: (host: string, address: string) => void; onError?: (host: string) => void }): void;
    close(): void;
  }
}

declare module 'net' {
  /** Moddable's network status: Net.get("DNS") lists the DNS servers DHCP gave the station. */
  export default class Net {
    static get(property: 'DNS'): string[] | undefined;
    static get(property: 'IP' | 'SSID' | 'MAC', interfaceName?: string): string | undefined;
    /** The station's signal strength (dBm). */
    static get(property: 'RSSI'): number | undefined;
  }
}
