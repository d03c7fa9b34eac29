import { resolve } from 'node:path';
import type { HubOptions } from '../hub/hub-options.js';
import { resolveMqtt } from '../mqtt/mqtt-options.js';
import { type OptionSpec, stringFlag, UsageError } from './command.js';

/** The Home Assistant (MQTT) flags of `fazt hub` and `fazt start`: the password only ever from a file. */
export const MQTT_FLAGS: Record<string, OptionSpec> = {
  mqtt: { type: 'string', value: 'URL', description: 'publish to Home Assistant through this MQTT broker, e.g. mqtt://127.0.0.1:1883' },
  'mqtt-user': { type: 'string', value: 'USER', description: 'the MQTT user (with --mqtt-password-file)' },
  'mqtt-password-file': { type: 'string', value: 'FILE', description: "a file holding the MQTT user's password (never given on the command line)" },
  'ha-prefix': { type: 'string', value: 'PREFIX', description: "Home Assistant's discovery prefix (default homeassistant)" },
};

/** The flags as HubOptions.mqtt, each mistake a usage error naming its flag and never the password. */
export function mqttFlags(values: Record<string, unknown>): Pick<HubOptions, 'mqtt'> {
  const url = stringFlag(values.mqtt);
  if (url === undefined) {
    for (const f of ['mqtt-user', 'mqtt-password-file', 'ha-prefix'])
      if (values[f] !== undefined) throw new UsageError(`--${f} needs --mqtt (the broker's URL)`);
    return {};
  }
  const user = stringFlag(values['mqtt-user']);
  const passwordFile = stringFlag(values['mqtt-password-file']);
  if ((user === undefined) !== (passwordFile === undefined)) throw new UsageError('--mqtt-user and --mqtt-password-file go together');
  const haPrefix = stringFlag(values['ha-prefix']);
  const mqtt = {
    url,
    ...(user !== undefined ? { user } : {}),
    ...(passwordFile !== undefined ? { passwordFile: resolve(passwordFile) } : {}),
    ...(haPrefix !== undefined ? { haPrefix } : {}),
  };
  try {
    resolveMqtt(mqtt);
  } catch (e) {
    if (e instanceof TypeError || e instanceof RangeError) throw new UsageError(`--mqtt: ${e.message.replace(/^mqtt\.url /, '')}`);
    throw e;
  }
  return { mqtt };
}
