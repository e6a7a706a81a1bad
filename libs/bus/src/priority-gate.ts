import type { Logger } from '@leadflow/logger';

/** What the gate pauses and resumes: a kafkajs consumer's topics. */
export interface PausableConsumer {
  pause(topics: { topic: string }[]): void;
  resume(topics: { topic: string }[]): void;
}

export interface PriorityGateOptions {
  consumer: PausableConsumer;
  /** The consumer's topics, highest priority first. */
  lanes: readonly string[];
  /** Messages waiting (not committed by the group) on each lane, in the order of `lanes`. */
  waiting: () => Promise<readonly number[]>;
  /** How often `waiting` is read. */
  pollMs: number;
  logger: Logger;
}

/**
 * Pauses the lanes below the highest one with messages waiting, and resumes them once it has
 * none (docs/job-priority.md): a stage then takes a high job's batches before any normal or
 * low one it has not started. Read at an interval (the group's lag), and at once when a
 * message of a higher lane is handled, so that a lower lane stops before the next poll.
 */
export function createPriorityGate(opts: PriorityGateOptions) {
  const { consumer, lanes, logger } = opts;
  const paused = new Set<string>();
  let timer: NodeJS.Timeout | undefined;
  let polling = false;
  let stopped = false;

  /**
   * Pauses every lane below index `top` and resumes the others; -1 resumes all. Said in full each
   * time (kafkajs keeps it in memory, cheaply): a consumer that restarted after a crash forgot it.
   */
  function open(top: number) {
    const shut = lanes.filter((_, i) => top >= 0 && i > top);
    const opened = lanes.filter((l) => !shut.includes(l));
    paused.clear();
    for (const lane of shut) paused.add(lane);
    if (shut.length > 0) consumer.pause(shut.map((topic) => ({ topic })));
    if (opened.length > 0) consumer.resume(opened.map((topic) => ({ topic })));
  }

  async function poll() {
    if (polling || stopped) return;
    polling = true;
    try {
      const waiting = await opts.waiting();
      if (!stopped) open(waiting.findIndex((n) => n > 0));
    } catch (err) {
      // Without a reading every lane is open (priority is an order, never a reason to stop); the next poll tries again.
      if (!stopped) open(-1);
      logger.warn({ err }, 'the priority lanes could not be read: all open until the next reading');
    } finally {
      polling = false;
    }
  }

  return {
    /** Starts polling. */
    start() {
      timer = setInterval(() => void poll(), opts.pollMs);
      timer.unref();
    },
    /** A message of `lane` is being handled: the lanes below it pause now, not at the next poll. */
    handling(lane: string) {
      const i = lanes.indexOf(lane);
      if (i < 0 || i === lanes.length - 1) return;
      const below = lanes.slice(i + 1);
      for (const l of below) paused.add(l);
      consumer.pause(below.map((topic) => ({ topic })));
    },
    isPaused: (lane: string) => paused.has(lane),
    stop() {
      stopped = true;
      if (timer) clearInterval(timer);
    },
  };
}
