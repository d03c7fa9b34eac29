import { webhookTarget } from '../effect/webhook.js';
import { PhrasingError } from './phrasing-error.js';
import type { Judgement, PulseMetrics } from './pulse-types.js';

export interface PhrasingOptions {
  /** The endpoint's base URL, e.g. http://127.0.0.1:8080/v1 (chat/completions is appended). */
  url: string;
  model: string;
  /** Sent as `Authorization: Bearer …` when given. */
  apiKey?: string;
  /** The whole answer must arrive within this; 20 s by default. */
  timeoutMs?: number;
  fetch?: typeof fetch;
}

export interface Beat {
  metrics: PulseMetrics;
  judgement: Judgement;
  /** The rule-based paragraph (narrate). */
  text: string;
}

/** The model's text is short prose; anything longer is not an answer to this question. */
const MAX_TEXT_BYTES = 8 * 1024;
/** The whole reply: the text plus the envelope (ids, usage, perhaps reasoning). */
const MAX_BODY_BYTES = 64 * 1024;
/** How much of an error answer is read for its message. */
const MAX_ERROR_BYTES = 4 * 1024;

const SYSTEM = [
  'You are the voice of a small home sensor hub telling its owner how it is doing.',
  'The user message is the latest health check as JSON: the overall status, the issues (checks that are not healthy),',
  "the hub's and each node's figures, and a paragraph written by rules.",
  'Rewrite the paragraph as a short, friendly, plain-language answer of at most 80 words.',
  'Use only the facts given; never invent numbers, times or causes. Name nodes by their names. Most serious issue first.',
  'Plain text only: no markdown, no lists, no preamble.',
].join(' ');

/** The structured beat, and only that: never raw history, never keys. */
function beatForModel(beat: Beat): Record<string, unknown> {
  const { metrics: m, judgement: j } = beat;
  return {
    status: j.status,
    issues: j.verdicts
      .filter((v) => v.status !== 'healthy')
      .map((v) => ({ check: v.check, name: v.name, status: v.status, title: v.title, text: v.text, fix: v.fix, value: v.value })),
    hub: m.hub,
    nodes: Object.values(m.nodes).map((n) => ({ name: n.name, figures: n.figures })),
    paragraph: beat.text,
  };
}

/**
 * Optional phrasing of a beat by a language model behind an OpenAI-compatible
 * chat endpoint (llama.cpp's server, Ollama, vLLM, a hosted API). The
 * rule-based paragraph always exists; this wording is shown beside it.
 */
export class Phrasing {
  private readonly endpoint: string;
  private readonly timeoutMs: number;
  private readonly fetch: typeof fetch;

  constructor(private readonly o: PhrasingOptions) {
    let base: URL;
    try {
      base = new URL(o.url);
    } catch {
      throw new TypeError('url must be an absolute http(s) URL like http://127.0.0.1:8080/v1');
    }
    if (base.protocol !== 'http:' && base.protocol !== 'https:') throw new TypeError(`url must be http or https, got ${base.protocol}`);
    if (base.username !== '' || base.password !== '') throw new TypeError('url must not hold credentials; give the key as apiKey');
    if (typeof o.model !== 'string' || o.model.trim() === '') throw new TypeError('model must name the model, e.g. "qwen2.5-3b-instruct"');
    if (o.apiKey !== undefined && (typeof o.apiKey !== 'string' || !/^[\x21-\x7e]+$/.test(o.apiKey)))
      throw new TypeError('apiKey must be printable ASCII without spaces'); // never echoed
    this.timeoutMs = o.timeoutMs ?? 20_000;
    if (!Number.isFinite(this.timeoutMs) || this.timeoutMs <= 0) throw new RangeError(`timeoutMs must be a positive number of ms, got ${o.timeoutMs}`);
    this.endpoint = `${base.href.replace(/\/+$/, '')}/chat/completions`;
    this.fetch = o.fetch ?? fetch;
  }

  async phrase(beat: Beat): Promise<{ text: string; model: string }> {
    const headers: Record<string, string> = { 'content-type': 'application/json', accept: 'application/json' };
    if (this.o.apiKey !== undefined) headers.authorization = `Bearer ${this.o.apiKey}`;
    const body = JSON.stringify({
      model: this.o.model,
      messages: [
        { role: 'system', content: SYSTEM },
        { role: 'user', content: JSON.stringify(beatForModel(beat)) },
      ],
      temperature: 0.2,
    });
    let status: number;
    let reply: string | undefined;
    try {
      const res = await this.fetch(this.endpoint, { method: 'POST', headers, body, redirect: 'manual', signal: AbortSignal.timeout(this.timeoutMs) });
      status = res.status;
      reply = await readCapped(res, status >= 200 && status < 300 ? MAX_BODY_BYTES : MAX_ERROR_BYTES);
    } catch (e) {
      throw this.failure(e);
    }
    if (status < 200 || status >= 300) throw this.refusal(status, reply);
    if (reply === undefined) throw new PhrasingError('too-large', `the model endpoint's reply is over ${MAX_BODY_BYTES / 1024} KB`);
    let parsed: unknown;
    try {
      parsed = JSON.parse(reply);
    } catch {
      throw new PhrasingError('not-json', `the model endpoint's answer is not JSON (HTTP ${status}, ${reply.length} characters)`);
    }
    const content = (parsed as { choices?: { message?: { content?: unknown } }[] } | null)?.choices?.[0]?.message?.content;
    if (typeof content !== 'string' || content.trim() === '')
      throw new PhrasingError('no-content', "the model endpoint's answer has no text in choices[0].message.content");
    const size = Buffer.byteLength(content);
    if (size > MAX_TEXT_BYTES) throw new PhrasingError('too-large', `the model's answer is over ${MAX_TEXT_BYTES / 1024} KB (${size} bytes)`);
    const model = (parsed as { model?: unknown }).model;
    return { text: content.trim(), model: typeof model === 'string' && model !== '' ? model : this.o.model };
  }

  private failure(e: unknown): PhrasingError {
    const err = e as (Error & { cause?: { code?: string } }) | undefined;
    if (err?.name === 'TimeoutError') return new PhrasingError('timeout', `the model endpoint did not answer within ${this.timeoutMs} ms`);
    const why = err?.cause?.code ?? err?.name ?? 'no answer';
    return new PhrasingError('unreachable', `could not reach the model endpoint at ${webhookTarget(this.endpoint)} (${why})`, { cause: e });
  }

  private refusal(status: number, reply: string | undefined): PhrasingError {
    if (status === 401 || status === 403)
      return new PhrasingError(
        'refused',
        this.o.apiKey === undefined
          ? `the model endpoint wants a key (HTTP ${status}); none is configured`
          : `the model endpoint refused the key (HTTP ${status})`,
      );
    const detail = reply === undefined ? '' : errorDetail(this.scrub(reply));
    return new PhrasingError('http', `the model endpoint answered HTTP ${status}${detail === '' ? '' : `: ${detail}`}`);
  }

  /** An endpoint may echo what it was sent; the key never leaves in a message. */
  private scrub(s: string): string {
    const key = this.o.apiKey;
    if (key === undefined) return s;
    return s.split(key).join('[key]').split(JSON.stringify(key).slice(1, -1)).join('[key]');
  }
}

/** The reason an error answer gives (OpenAI's `error.message`, else its text), one short line. */
function errorDetail(reply: string): string {
  let text = reply;
  try {
    const m = (JSON.parse(reply) as { error?: { message?: unknown } | string } | null)?.error;
    const msg = typeof m === 'string' ? m : m?.message;
    if (typeof msg === 'string') text = msg;
  } catch {
    // not JSON: the text itself
  }
  const line = text.replace(/\s+/g, ' ').trim();
  return line.length > 200 ? `${line.slice(0, 200)}…` : line;
}

/** The body as text, or undefined when it is over `max` bytes (the rest is not read). */
async function readCapped(res: Response, max: number): Promise<string | undefined> {
  if (!res.body) return '';
  const reader = res.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > max) {
      await reader.cancel();
      return undefined;
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks).toString('utf8');
}
