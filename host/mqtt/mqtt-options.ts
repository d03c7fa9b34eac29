import { readFileSync } from 'node:fs';

/**
 * How the hub reaches the MQTT broker Home Assistant listens on (`fazt hub
 * --mqtt`). The password is only ever read from a file, so it stays out of
 * argv, the shell's history and every log line and error (which name the
 * file only).
 */
export interface MqttOptions {
  /** mqtt://host:port or mqtts://host:port, without credentials. */
  url: string;
  /** The broker user, with passwordFile. */
  user?: string;
  passwordFile?: string;
  /** Home Assistant's discovery prefix (default homeassistant). */
  haPrefix?: string;
  /** Where states and commands live: `<root>/<node>/...` (default fazt). */
  root?: string;
  /** Reconnect delays: from min, doubling to max (default 500 ms to 30 s). */
  retryMs?: { min: number; max: number };
  /** How long a command from Home Assistant stays valid for the node (default 2 minutes). */
  commandTtlMs?: number;
  /** A reading not seen for this long is removed from its device in Home Assistant (default 7 days). */
  forgetAfterMs?: number;
}

/** The checked options with the password read: what the bridge connects with. */
export interface ResolvedMqtt {
  url: string;
  user?: string;
  password?: string;
  haPrefix: string;
  root: string;
  retryMs: { min: number; max: number };
  commandTtlMs: number;
  forgetAfterMs: number;
}

const URL_FORM = /^mqtts?:\/\/[^\s/@]+:\d{1,5}$/;
const TOPIC_LEVELS = /^[A-Za-z0-9_-]+(\/[A-Za-z0-9_-]+)*$/;

/** Checks the options and reads the password file; TypeError/RangeError naming the option at fault, never showing a secret. */
export function resolveMqtt(o: MqttOptions): ResolvedMqtt {
  if (typeof o.url !== 'string' || o.url === '') throw new TypeError('mqtt.url must be an mqtt:// URL (e.g. mqtt://127.0.0.1:1883)');
  if (!URL_FORM.test(o.url))
    throw new RangeError(
      `mqtt.url '${o.url.replace(/\/\/[^@/]*@/, '//…@')}' is not mqtt://HOST:PORT or mqtts://HOST:PORT (the password goes in a file, not the URL)`,
    );
  const haPrefix = o.haPrefix ?? 'homeassistant';
  if (!TOPIC_LEVELS.test(haPrefix)) throw new RangeError(`mqtt.haPrefix '${haPrefix}' is not topic levels of letters, digits, _ and -`);
  const root = o.root ?? 'fazt';
  if (!TOPIC_LEVELS.test(root)) throw new RangeError(`mqtt.root '${root}' is not topic levels of letters, digits, _ and -`);
  const retryMs = o.retryMs ?? { min: 500, max: 30_000 };
  if (!(retryMs.min >= 10 && retryMs.max >= retryMs.min)) throw new RangeError(`mqtt.retryMs must have 10 <= min <= max, got ${retryMs.min}..${retryMs.max}`);
  const commandTtlMs = o.commandTtlMs ?? 120_000;
  if (!(Number.isSafeInteger(commandTtlMs) && commandTtlMs >= 1000)) throw new RangeError(`mqtt.commandTtlMs must be at least 1000, got ${commandTtlMs}`);
  const forgetAfterMs = o.forgetAfterMs ?? 7 * 86_400_000;
  if (!(Number.isSafeInteger(forgetAfterMs) && forgetAfterMs >= 1000)) throw new RangeError(`mqtt.forgetAfterMs must be at least 1000, got ${forgetAfterMs}`);
  if ((o.user === undefined) !== (o.passwordFile === undefined)) throw new TypeError('mqtt.user and mqtt.passwordFile go together: give both or neither');
  const out: ResolvedMqtt = { url: o.url, haPrefix, root, retryMs, commandTtlMs, forgetAfterMs };
  if (o.user !== undefined && o.passwordFile !== undefined) {
    if (typeof o.user !== 'string' || o.user === '') throw new TypeError('mqtt.user must be a non-empty name');
    out.user = o.user;
    out.password = passwordFrom(o.passwordFile);
  }
  return out;
}

/** The first line of the password file, trimmed; errors name the file, never its content. */
function passwordFrom(file: string): string {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new TypeError(`the MQTT password file ${file} cannot be read (${(e as NodeJS.ErrnoException).code ?? 'error'})`);
  }
  const line = text.split('\n')[0].trim();
  if (line === '') throw new RangeError(`the MQTT password file ${file} is empty`);
  return line;
}
