/**
 * Moddable's `mc/config` module: mcconfig generates it from the `config`
 * sections of the manifests (and key=value arguments), deep-frozen. The
 * firmware build (host/moddable/firmware-build.ts) puts the board and node
 * configuration under `fazt`; device-main.ts checks their shape itself.
 */
declare module 'mc/config' {
  const config: { readonly [key: string]: unknown };
  export default config;
}
