import type { Preferences } from '../../hal/contracts/preferences.js';
import {
  decodeRpc,
  decodeWifiSettings,
  encodeErrorState,
  encodeResult,
  encodeState,
  type ImprovError,
  ImprovCommand,
  ImprovErrorCode,
  ImprovParser,
  ImprovState,
  ImprovType,
} from './improv-serial.js';
import { storeWifiCredentials, wifiCredentials } from './wifi-credentials.js';

interface WifiNetwork {
  ssid: string;
  rssi: number;
  secure: boolean;
}

export interface ImprovProvisionerOptions {
  prefs: Preferences;
  /** Writes bytes to the serial port. */
  send: (bytes: Uint8Array) => void;
  /** Tries the network; `done(true)` once the station has an address, `done(false)` when it cannot join. */
  join: (ssid: string, password: string, done: (ok: boolean) => void) => void;
  /** What Request device information answers: firmware name and version, chip/variant, device name. */
  device: { firmware: string; version: string; chip: string; name: string };
  /** The networks the radio sees; without it a scan answers an empty list. */
  scan?: (done: (networks: WifiNetwork[]) => void) => void;
  /** Where to send the user after provisioning (the first string of the result), e.g. the hub's page. */
  nextUrl?: () => string | undefined;
  /** Called once new credentials joined and were stored. */
  onProvisioned?: (ssid: string) => void;
  log?: (line: string) => void;
}

/**
 * The device's side of Improv serial: answers state, device-info and scan
 * requests, and on Send Wi-Fi settings tries the network and, only once it
 * joined, stores the credentials in Preferences (domain "wifi"), which the
 * device reads before joining at its next boot. The password is never sent
 * back, never logged and never part of an error message. A packet that is
 * malformed, has a bad checksum or is an unknown command changes nothing:
 * it is answered with the matching error state.
 */
export class ImprovProvisioner {
  private readonly parser: ImprovParser;
  private current: number;
  private joining = false;

  constructor(private readonly o: ImprovProvisionerOptions) {
    this.parser = new ImprovParser(
      (type, data) => this.packet(type, data),
      (e) => this.refuse(e),
    );
    this.current = wifiCredentials(o.prefs)?.source === 'preferences' ? ImprovState.provisioned : ImprovState.ready;
  }

  /** The Improv state now (ImprovState). */
  get state(): number {
    return this.current;
  }

  /** Bytes from the serial port, in whatever chunks they came. */
  receive(chunk: Uint8Array): void {
    this.parser.push(chunk);
  }

  private packet(type: number, data: Uint8Array): void {
    if (type !== ImprovType.rpcCommand) return; // the device's own packet types, echoed: nothing to do
    let rpc;
    try {
      rpc = decodeRpc(data);
    } catch (e) {
      return this.refuse(e as ImprovError);
    }
    switch (rpc.command) {
      case ImprovCommand.wifiSettings:
        return this.wifi(rpc.payload);
      case ImprovCommand.currentState:
        this.o.send(encodeState(this.current));
        if (this.current === ImprovState.provisioned) this.o.send(encodeResult(ImprovCommand.currentState, this.urls()));
        return;
      case ImprovCommand.deviceInfo: {
        const d = this.o.device;
        this.o.send(encodeResult(ImprovCommand.deviceInfo, [d.firmware, d.version, d.chip, d.name]));
        return;
      }
      case ImprovCommand.scan:
        return this.scan();
      default:
        this.o.log?.(`improv: unknown RPC command ${rpc.command}`);
        this.o.send(encodeErrorState(ImprovErrorCode.unknownCommand));
    }
  }

  private wifi(payload: Uint8Array): void {
    let creds: { ssid: string; password: string };
    try {
      creds = decodeWifiSettings(payload);
    } catch (e) {
      return this.refuse(e as ImprovError);
    }
    if (this.joining) {
      this.o.log?.('improv: Wi-Fi settings refused: already trying a network');
      this.o.send(encodeErrorState(ImprovErrorCode.unknown));
      return;
    }
    this.joining = true;
    const before = this.current;
    this.o.send(encodeErrorState(ImprovErrorCode.none));
    this.setState(ImprovState.provisioning);
    this.o.log?.(`improv: joining "${creds.ssid}"`);
    this.o.join(creds.ssid, creds.password, (ok) => {
      this.joining = false;
      if (!ok) {
        this.o.log?.(`improv: could not join "${creds.ssid}"; nothing stored`);
        this.o.send(encodeErrorState(ImprovErrorCode.unableToConnect));
        this.setState(before === ImprovState.provisioned ? ImprovState.provisioned : ImprovState.ready);
        return;
      }
      storeWifiCredentials(this.o.prefs, creds.ssid, creds.password);
      this.o.log?.(`improv: joined "${creds.ssid}"; credentials stored`);
      this.setState(ImprovState.provisioned);
      this.o.send(encodeResult(ImprovCommand.wifiSettings, this.urls()));
      this.o.onProvisioned?.(creds.ssid);
    });
  }

  private scan(): void {
    const done = (networks: WifiNetwork[]): void => {
      for (const n of networks) this.o.send(encodeResult(ImprovCommand.scan, [n.ssid, String(n.rssi), n.secure ? 'YES' : 'NO']));
      this.o.send(encodeResult(ImprovCommand.scan, []));
    };
    if (this.o.scan) this.o.scan(done);
    else done([]);
  }

  private urls(): string[] {
    const url = this.o.nextUrl?.();
    return url ? [url] : [];
  }

  private setState(state: number): void {
    this.current = state;
    this.o.send(encodeState(state));
  }

  /** A refused packet: logged (its message never carries the packet's bytes) and answered; nothing else changes. */
  private refuse(e: ImprovError): void {
    this.o.log?.(`improv: refused a packet (${e.code}): ${e.message}`);
    this.o.send(encodeErrorState(ImprovErrorCode.invalidRpc));
  }
}
