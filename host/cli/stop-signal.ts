/** Ctrl-C or SIGTERM as a flag a command's loop reads until it ends; release() stops listening. */
export function stopSignal(): { readonly stopped: boolean; release(): void } {
  let stopped = false;
  const on = (): void => {
    stopped = true;
  };
  process.once('SIGINT', on);
  process.once('SIGTERM', on);
  return {
    get stopped() {
      return stopped;
    },
    release() {
      process.off('SIGINT', on);
      process.off('SIGTERM', on);
    },
  };
}
