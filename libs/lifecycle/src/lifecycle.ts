import type { Logger } from '@leadflow/logger';

/** A part of a process with a start and a stop; started in order, stopped in reverse. */
export interface Module {
  readonly name: string;
  start?(): Promise<void>;
  stop?(): Promise<void>;
}

export interface LifecycleOptions {
  logger: Logger;
  /**
   * How long a stop may take before the process is forced out; shorter than the pod's
   * termination grace period (30 s by default in Kubernetes).
   * @default 20000
   */
  stopTimeoutMs?: number;
}

export interface Lifecycle {
  add<M extends Module>(module: M): M;
  start(): Promise<void>;
  /** Stops every started module in reverse order; a failing stop is logged, the rest go on. */
  stop(): Promise<void>;
  /** True between a completed start and the beginning of a stop. */
  readonly ready: boolean;
  /**
   * Starts, then stops on SIGTERM or SIGINT; a second signal or the deadline forces exit. A start
   * that fails stops what started and rejects with its error: the caller says why and exits.
   */
  runUntilSignal(): Promise<void>;
}

export function createLifecycle(opts: LifecycleOptions): Lifecycle {
  const { logger } = opts;
  const stopTimeoutMs = opts.stopTimeoutMs ?? 20_000;
  const modules: Module[] = [];
  const started: Module[] = [];
  let ready = false;
  let stopping: Promise<void> | undefined;

  async function start(): Promise<void> {
    for (const m of modules) {
      await m.start?.();
      started.push(m);
      logger.debug({ module: m.name }, 'started');
    }
    ready = true;
  }

  function stop(): Promise<void> {
    ready = false;
    stopping ??= (async () => {
      for (const m of [...started].reverse()) {
        try {
          await m.stop?.();
          logger.debug({ module: m.name }, 'stopped');
        } catch (err) {
          logger.error({ err, module: m.name }, 'module did not stop cleanly');
        }
      }
      started.length = 0;
    })();
    return stopping;
  }

  async function runUntilSignal(): Promise<void> {
    const onSignal = (signal: NodeJS.Signals) => {
      if (stopping) {
        logger.warn({ signal }, 'second signal: exiting now');
        process.exit(1);
      }
      logger.info({ signal }, 'stopping');
      const timer = setTimeout(() => {
        logger.error({ stopTimeoutMs }, 'stop took too long: exiting');
        process.exit(1);
      }, stopTimeoutMs);
      timer.unref();
      void stop().then(() => {
        clearTimeout(timer);
        process.exit(0);
      });
    };
    process.on('SIGTERM', onSignal);
    process.on('SIGINT', onSignal);
    try {
      await start();
    } catch (err) {
      await stop();
      process.off('SIGTERM', onSignal);
      process.off('SIGINT', onSignal);
      throw err;
    }
  }

  return {
    add(m) {
      modules.push(m);
      return m;
    },
    start,
    stop,
    get ready() {
      return ready;
    },
    runUntilSignal,
  };
}
