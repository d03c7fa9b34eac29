import type { HubLink, HubLinkEvent } from '../beacon/hub-link.js';
import { toHex } from '../codec/text-encodings.js';
import type { CryptoProvider } from '../crypto/crypto-provider.js';
import { lanNodeFirmware, type LanLinkConfig } from '../node/lan-node-firmware.js';
import { NodeApp, type NodeAppOptions } from '../node/node-app.js';
import type { NodeConfig } from '../node/node-config.js';
import { SleepCycle } from '../node/sleep-cycle.js';
import type { UplinkResult } from '../uplink/transport.js';
import type { HalBackend } from '../../hal/contracts/io.js';
import type { Preferences } from '../../hal/contracts/preferences.js';
import type { Sleep } from '../../hal/contracts/sleep.js';
import type { HalTime } from '../../hal/contracts/time.js';
import { moddableHttpPost, type HttpProvider } from '../../hal/moddable/moddable-http-post.js';
import { ModdableHttpTransport } from './moddable-http-transport.js';
import { hubTransport } from '../node/hub-transport.js';

/**
 * How a Moddable device's node reaches its hub, given its backend and its
 * network (device-main.ts passes the native classes; tests pass the
 * simulated ECMA-419 classes and an HTTP client over node:http):
 *
 *  hub.url set       NodeApp uplinking to it (ModdableHttpTransport)
 *  hub.url absent    lanNodeFirmware: a HubLink searches the LAN (SSDP, the
 *                    backend's UDP) for a beacon signed by hub.publicKey,
 *                    enrols there with hub.token when the config has one,
 *                    and uplinks to the URL it found (moddableHttpPost)
 *
 * The token stays in flash, so a device that restarts after enrolling is
 * refused (invite-used) and tries the uplink instead (LanLinkConfig
 * tokenPersists). Its chain head and last command seq are in its
 * preferences (NVS; firmware/node/node-state.ts), so a restarted device
 * continues its chain after the last batch it sent; one whose preferences
 * were erased is refused (chain-broken) with the head its hub holds, signed
 * by the hub key, and continues from that (firmware/node/chain-adoption.ts).
 * The node does not announce itself: an announcement is
 * an Ed25519 signature every 30 s on a chip where one signature is most of
 * a batch's cost, and the hub needs none to take its uplink.
 *
 * With `ota` the node takes firmware offers (firmware/ota/ota-updater.ts),
 * its chunks fetched from the hub it uplinks to. With `sleep` and a
 * configuration whose power.mode is deep-sleep, a node with hub.url runs
 * in wakes (SleepCycle: one wake per boot, ending in deep sleep); one that
 * finds its hub by Beacon stays always-on (a LAN search every wake would
 * cost more than the sleep saves), as does a build without `sleep`.
 */
export interface DeviceNodeOptions {
  config: NodeConfig;
  backend: HalBackend;
  time: HalTime;
  crypto: CryptoProvider;
  /** ECMA-419 `device.network.http` ({io, socket, dns}). */
  http: HttpProvider;
  log: (line: string) => void;
  /** SSDP group and port, search timing (defaults: 239.255.255.250:1900; tests move them to the loopback). */
  beacon?: Pick<LanLinkConfig, 'group' | 'port' | 'searchWindowMs' | 'retryMs'>;
  /** Every Beacon link event (the log gets them too). */
  onLink?: (event: HubLinkEvent) => void;
  /** The device's flash (Moddable's preference module through moddablePreferences). */
  preferences?: Preferences;
  /** Firmware updates: the OTA slots with the bootloader's rollback state, and the restart into a committed image. */
  ota?: NodeAppOptions['ota'];
  /** Deep sleep (hal/moddable/moddable-sleep.ts over fazt/esp32), for a configuration in power.mode deep-sleep. */
  sleep?: Sleep;
}

export interface DeviceNode {
  app: NodeApp;
  /** The Beacon link when the node finds its hub by itself. */
  link: HubLink | undefined;
  /** Where the uplink goes, for the boot line. */
  hub: string;
  start(): void;
  stop(): void;
}

function uplinkLog(log: (line: string) => void) {
  return (r: UplinkResult, b: { first: number; last: number; bytes: number }): void => {
    if (!r.ok) log(`uplink of seq ${b.first}..${b.last} (${b.bytes} bytes) ${r.refused ? `refused (${r.code})` : 'failed'}: ${r.message}`);
  };
}

/** One line per link event; acknowledgements only the first after each hub found (the rest are routine). */
function linkLog(log: (line: string) => void): (e: HubLinkEvent) => void {
  let quiet = false;
  return (e) => {
    if (e.event === 'searching') log('searching the LAN for the hub (Beacon)');
    else if (e.event === 'found') {
      quiet = false;
      log(`found hub ${e.hub} at ${e.url}`);
    } else if (e.event === 'enrolled') log(`enrolled as ${e.node}`);
    else if (e.event === 'acked' && !quiet) {
      quiet = true;
      log(`uplink acknowledged (ack ${e.ack})`);
    } else if (e.event === 'refused')
      log(
        `${e.stage} refused (${e.code}): ${e.message}${e.address ? ` from ${e.address}` : ''}${e.stage === 'enroll' && e.code === 'invite-used' ? ' (enrolled before this restart? trying the uplink)' : ''}`,
      );
    else if (e.event === 'lost') log(`lost hub ${e.hub}: ${e.reason}`);
  };
}

export function deviceNode(o: DeviceNodeOptions): DeviceNode {
  const { config, log } = o;
  const onUplink = uplinkLog(log);
  const url = config.hub.url;
  const sleeps = config.power?.mode === 'deep-sleep';
  if (sleeps && !o.sleep) log('power.mode deep-sleep: this build has no deep sleep, running always-on');
  if (url !== undefined) {
    if (config.hub.token !== undefined) log('hub.token is ignored: the node enrols only when it finds its hub by Beacon (no hub.url)');
    const transport = hubTransport(config, (hubUrl) => new ModdableHttpTransport({ hubUrl, timers: o.time, http: o.http }));
    const options = { config, backend: o.backend, time: o.time, crypto: o.crypto, transport, log, onUplink, preferences: o.preferences, ota: o.ota };
    if (sleeps && o.sleep) {
      if (!o.preferences) throw new TypeError('power.mode deep-sleep needs preferences: the unsent buffer and the chain head outlive a sleep there');
      const cycle = new SleepCycle({ ...options, sleep: o.sleep, prefs: o.preferences });
      return {
        app: cycle.app,
        link: undefined,
        hub: `${url} (deep sleep, wake cause ${o.sleep.wakeCause()})`,
        start: () => cycle.run(),
        stop: () => cycle.app.stop(),
      };
    }
    const app = new NodeApp(options);
    return { app, link: undefined, hub: url, start: () => app.start(), stop: () => app.stop() };
  }
  if (sleeps && o.sleep) log('power.mode deep-sleep needs hub.url on a device (a Beacon search every wake costs more than the sleep saves): running always-on');
  const toLog = linkLog(log);
  const fw = lanNodeFirmware({
    config,
    link: { hubKey: toHex(config.hub.publicKey), token: config.hub.token ?? null, tokenPersists: true, announce: null, ...o.beacon },
    backend: o.backend,
    time: o.time,
    crypto: o.crypto,
    // Replies up to the largest firmware chunk an offer may name (firmware/ota/ota-offer.ts).
    http: moddableHttpPost(o.http, o.time, { maxReplyBytes: 16_384 }),
    onLink: (e) => {
      toLog(e);
      o.onLink?.(e);
    },
    onUplink,
    log,
    preferences: o.preferences,
    ota: o.ota,
  });
  const how = config.hub.token === undefined ? 'enrolled before' : 'enrols with its invite';
  return { app: fw.app, link: fw.link, hub: `by Beacon (key ${toHex(config.hub.publicKey).slice(0, 16)}…, ${how})`, start: fw.start, stop: fw.stop };
}
