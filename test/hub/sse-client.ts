import { get as httpGet, type IncomingMessage } from 'node:http';
import { parseJson } from '../../firmware/codec/json-form.js';
import type { EventEntry } from '../../firmware/event/envelope.js';
import { ownerAuth } from './helpers.js';

/** A minimal EventSource reader: frames as they arrive, comments counted, end noticed. */
export class SseClient {
  events: EventEntry[] = [];
  comments: string[] = [];
  ended = false;
  status = 0;
  private buf = '';
  private res: IncomingMessage | undefined;

  static open(url: string): Promise<SseClient> {
    const c = new SseClient();
    return new Promise((resolve, reject) => {
      const req = httpGet(url, { headers: ownerAuth(url) }, (res) => {
        c.res = res;
        c.status = res.statusCode ?? 0;
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => c.feed(chunk));
        res.on('end', () => (c.ended = true));
        res.on('close', () => (c.ended = true));
        resolve(c);
      });
      req.on('error', reject);
    });
  }

  private feed(chunk: string): void {
    this.buf += chunk;
    let i: number;
    while ((i = this.buf.indexOf('\n\n')) >= 0) {
      const frame = this.buf.slice(0, i);
      this.buf = this.buf.slice(i + 2);
      if (frame.startsWith(':')) this.comments.push(frame.slice(1).trim());
      const lines = frame.split('\n');
      if (lines[0] === 'event: fazt') this.events.push(parseJson(lines[1].slice('data: '.length)) as unknown as EventEntry);
    }
  }

  /** Waits (bounded) until the predicate holds. */
  async until(what: string, ok: () => boolean, ms = 5000): Promise<void> {
    const end = Date.now() + ms;
    while (!ok()) {
      if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
      await new Promise((r) => setTimeout(r, 10));
    }
  }

  close(): void {
    this.res?.destroy();
  }
}
