import type { ServerRuntime } from './server-runtime.js';

/** A connection waiting for a server slot. */
export interface QueueEntry {
  readonly clientAddress: string;
  /** Set when a hashing balancer chose a full server: wait for that one only. */
  readonly target: ServerRuntime | undefined;
  readonly enqueuedAt: number;
  timer: NodeJS.Timeout | undefined;
  onAssigned(server: ServerRuntime, waitedMs: number): void;
  onExpired(): void;
}

/**
 * The backend's FIFO of connections waiting for a server slot. Entries leave
 * in arrival order, except that one waiting for a specific (full) server lets
 * later entries pass while its server stays full.
 */
export class ServerQueue {
  private entries: QueueEntry[] = [];

  get length(): number {
    return this.entries.length;
  }

  /** How many entries wait for this server specifically. */
  countFor(server: ServerRuntime): number {
    let count = 0;
    for (const entry of this.entries) if (entry.target === server) count++;
    return count;
  }

  push(entry: QueueEntry): void {
    this.entries.push(entry);
  }

  remove(entry: QueueEntry): boolean {
    const index = this.entries.indexOf(entry);
    if (index < 0) return false;
    this.entries.splice(index, 1);
    return true;
  }

  /**
   * Offers queued entries, in FIFO order, to `tryPlace`, which assigns a
   * server at once (so the next offer sees the slot taken) and says whether it
   * did. Stops at the first untargeted entry that finds no room: every later
   * untargeted one would find none either.
   */
  drain(tryPlace: (entry: QueueEntry) => boolean): void {
    const kept: QueueEntry[] = [];
    const offered = this.entries;
    this.entries = kept;
    let blocked = false;
    for (const entry of offered) {
      const placed = !(blocked && entry.target === undefined) && tryPlace(entry);
      if (placed) continue;
      if (entry.target === undefined) blocked = true;
      kept.push(entry);
    }
  }
}
