import type { ModdablePreferenceModule } from '../../hal/moddable/moddable-preferences.js';

/**
 * A stand-in for Moddable's `preference` module (NVS on an ESP32): it stores
 * ArrayBuffers and hands back its own copies, and refuses a typed-array view
 * as the native module does not take one. Outlives the device that uses it,
 * as flash outlives a restart.
 */
export function simPreferenceModule(): ModdablePreferenceModule {
  const m = new Map<string, boolean | number | string | ArrayBuffer>();
  return {
    get: (d, k) => {
      const v = m.get(`${d}/${k}`);
      return v instanceof ArrayBuffer ? v.slice(0) : v;
    },
    set: (d, k, v) => {
      if (ArrayBuffer.isView(v)) throw new TypeError('Moddable is given an ArrayBuffer, never a view');
      m.set(`${d}/${k}`, v instanceof ArrayBuffer ? v.slice(0) : v);
    },
    delete: (d, k) => void m.delete(`${d}/${k}`),
    keys: (d) => [...m.keys()].filter((k) => k.startsWith(`${d}/`)).map((k) => k.slice(d.length + 1)),
  };
}
