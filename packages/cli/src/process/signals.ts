/**
 * Resolves on the first SIGINT or SIGTERM. Later signals are ignored rather
 * than killing the process: Ctrl-C reaches every process of the terminal's
 * group, and a parent may forward the same signal again while shutdown is
 * already under way.
 */
export function untilSignal(): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    let received = false;
    const onSignal = (signal: NodeJS.Signals) => {
      if (received) return;
      received = true;
      resolve(signal);
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
  });
}
