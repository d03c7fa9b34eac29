/**
 * Moddable's `timer` module (modules/base/timer; the esp32 base manifest
 * includes and preloads it), declared by the project. Timer.set returns the
 * timer itself (a host object), not a number; Timer.delay blocks.
 */
declare module 'timer' {
  export interface TimerHandle {
    readonly __moddableTimer: never;
  }

  const Timer: {
    /** Calls `callback` once after `interval` ms (0: on the next turn); with `repeat`, every `repeat` ms after that. */
    set(callback: (timer: TimerHandle) => void, interval?: number, repeat?: number): TimerHandle;
    clear(timer: TimerHandle | undefined): void;
    /** Blocks for `milliseconds`. */
    delay(milliseconds: number): void;
  };
  export default Timer;
}
