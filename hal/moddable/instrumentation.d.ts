/**
 * Moddable's `instrumentation` and `time` modules (modules/base/instrumentation,
 * modules/base/time), declared by the project: the SDK's typings are not
 * installed here. Instrumentation.map returns the counter's index for a name.
 */
declare module 'instrumentation' {
  const Instrumentation: {
    map(name: string): number | undefined;
    get(index: number): number | undefined;
  };
  export default Instrumentation;
}

declare module 'time' {
  const Time: {
    /** Milliseconds since boot. */
    readonly ticks: number;
  };
  export default Time;
}
