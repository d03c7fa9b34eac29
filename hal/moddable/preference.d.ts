/**
 * Moddable's `preference` module (modules/files/preference; NVS on ESP32),
 * declared by the project. Values are booleans, integers, strings or
 * ArrayBuffers; domain and key names are at most 15 characters.
 */
declare module 'preference' {
  const Preference: {
    get(domain: string, key: string): boolean | number | string | ArrayBuffer | undefined;
    set(domain: string, key: string, value: boolean | number | string | ArrayBuffer): void;
    delete(domain: string, key: string): void;
    keys(domain: string): string[];
  };
  export default Preference;
}
