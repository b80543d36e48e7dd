/** A stack of teardown steps, run last-in first-out. */
export interface Cleanup {
  /** Adds a step; returns the value passed in, so `x = cleanup.add(await start(), (x) => x.stop())` reads well. */
  add<T>(value: T, step: (value: T) => unknown): T;
  /** Adds a step that takes no value. */
  defer(step: () => unknown): void;
  /**
   * Runs every step, newest first, even when some fail, then throws the
   * first error (an AggregateError if several failed).
   */
  run(): Promise<void>;
}

/**
 * Creates a cleanup stack. Pair it with `afterAll(() => cleanup.run())` (or
 * afterEach): resources registered before a failing step of beforeAll are
 * still released.
 */
export function createCleanup(): Cleanup {
  const steps: Array<() => unknown> = [];
  return {
    add(value, step) {
      steps.push(() => step(value));
      return value;
    },
    defer(step) {
      steps.push(step);
    },
    async run() {
      const errors: unknown[] = [];
      while (steps.length > 0) {
        const step = steps.pop()!;
        try {
          await step();
        } catch (err) {
          errors.push(err);
        }
      }
      if (errors.length === 1) throw errors[0];
      if (errors.length > 1) throw new AggregateError(errors, `${errors.length} cleanup steps failed`);
    },
  };
}
