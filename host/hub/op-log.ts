/** One record of the hub's operational log: `code` names what happened, `level` how much it matters (default info). */
export type OpRecord = Record<string, unknown>;

export type LogFormat = 'plain' | 'json';

/** Owner tokens (fzt_…) and invite tokens (fzi…) never reach a log line, whatever a message quotes. */
const SECRETS = /\b(fzt_)[a-z2-7]{52}\b|\b(fzi)[a-z2-7]{32}\b/g;

function scrub(text: string): string {
  return text.replace(SECRETS, (_m, owner: string | undefined, invite: string | undefined) => `${owner ?? invite}…`);
}

function plainValue(v: unknown): string {
  const s = typeof v === 'string' ? v : JSON.stringify(v);
  return /^[^\s"=]+$/.test(s) ? s : JSON.stringify(s);
}

/**
 * A record as one log line: for people, `<time> <level> <code> key=value …`
 * (values with spaces quoted, the message last); for machines (`--log-json`)
 * one JSON object a line with `time` added; without a format, the record
 * alone as JSON. Secrets are masked in every form.
 */
export function formatOpRecord(record: OpRecord, format: LogFormat | undefined, now: number): string {
  if (format === undefined) return scrub(JSON.stringify(record)); // the hub's API default: the record alone
  const time = new Date(now).toISOString();
  if (format === 'json') return scrub(JSON.stringify({ time, ...record }));
  const { level = 'info', code = 'log', message, ...rest } = record;
  const fields = Object.entries(rest)
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => `${k}=${plainValue(v)}`);
  const text = [time, String(level).padEnd(5), String(code), ...fields].join(' ');
  return scrub(message === undefined ? text : `${text}: ${String(message)}`);
}
