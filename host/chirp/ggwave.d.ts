/** ggwave 0.4.0 ships no types: its CommonJS export is the Emscripten factory, typed where it is used (ggwave-engine.ts). */
declare module 'ggwave' {
  const factory: unknown;
  export default factory;
}
