import { type StatRow, statNumber, statRow } from './stats.js';

/**
 * Watches cumulative `show stat` counters (stot, bin, bout...) across
 * successive reads and notes every one that went down. Feed it reads in the
 * order they were made: two reads in flight at once may be answered out of
 * order.
 */
export class CounterWatch {
  /** `row column: before (when) then after (when)`, one per decrease seen. */
  readonly violations: string[] = [];
  /** Reads observed so far. */
  reads = 0;
  readonly #last = new Map<string, { value: number; when: string }>();

  /**
   * @param pxname the proxy whose rows are watched
   * @param svnames the rows (`FRONTEND`, `BACKEND`, server names); each must be in every read
   * @param columns cumulative counters
   */
  constructor(
    readonly pxname: string,
    readonly svnames: readonly string[],
    readonly columns: readonly string[],
  ) {}

  /** Compares one read with the previous one; `when` labels it in violations. */
  observe(rows: readonly StatRow[], when: string): void {
    this.reads++;
    for (const svname of this.svnames) {
      const row = statRow(rows, this.pxname, svname);
      for (const column of this.columns) {
        const key = `${svname} ${column}`;
        const value = statNumber(row, column);
        const last = this.#last.get(key);
        if (last !== undefined && value < last.value) {
          this.violations.push(`${key}: ${last.value} (${last.when}) then ${value} (${when})`);
        }
        this.#last.set(key, { value, when });
      }
    }
  }
}
