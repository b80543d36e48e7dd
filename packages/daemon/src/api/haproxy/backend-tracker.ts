import type { BackendModel, RuntimeModel, ServerModel } from '../../model/index.js';

/** A backend's up/down history, for the BACKEND row's lastchg, chkdown and downtime. */
export interface BackendHistory {
  up: boolean;
  /** Epoch ms of the last up/down transition (start time before any). */
  lastChange: number;
  downTransitions: number;
  /** Epoch ms when the current down spell began; 0 while up. */
  downSince: number;
  /** Ms spent down before the current spell. */
  downtimeMs: number;
}

/** A server counts toward its backend's weight: ready, up, not soft-down, weighted. */
export function serverUsable(server: ServerModel): boolean {
  return server.acceptsNewConnections;
}

/**
 * The weight a backend balances over, as HAProxy reports it: the active
 * servers' weights, or the backups' when no active server is usable.
 */
export function backendWeight(servers: readonly ServerModel[]): number {
  let active = 0;
  let backup = 0;
  for (const s of servers) {
    if (!serverUsable(s)) continue;
    if (s.backup) backup += s.weight;
    else active += s.weight;
  }
  return active > 0 ? active : backup;
}

/** HAProxy shows a backend UP while it has weight to balance over, or no servers at all. */
export function backendUp(backend: BackendModel): boolean {
  return backend.servers.length === 0 || backendWeight(backend.servers) > 0;
}

/**
 * Follows every backend's up/down state from the model's server changes,
 * since no other component keeps a backend-level history.
 */
export class BackendTracker {
  private readonly histories = new Map<string, BackendHistory>();
  private readonly unsubscribe: () => void;

  constructor(
    private readonly model: RuntimeModel,
    startedAt: number,
  ) {
    this.track(startedAt);
    this.unsubscribe = model.onServerChange((change) => this.update(change.server.backendName));
  }

  /** After a reload: backends kept keep their history, new ones start now, removed ones go. */
  reconfigure(now: number): void {
    for (const name of this.histories.keys()) if (!this.model.backends.has(name)) this.histories.delete(name);
    this.track(now);
    for (const name of this.histories.keys()) this.update(name);
  }

  private track(since: number): void {
    const startedAt = since;
    for (const backend of this.model.backends.values()) {
      if (this.histories.has(backend.name)) continue;
      const up = backendUp(backend);
      this.histories.set(backend.name, {
        up,
        lastChange: startedAt,
        downTransitions: 0,
        downSince: up ? 0 : startedAt,
        downtimeMs: 0,
      });
    }
  }

  history(backend: string): BackendHistory | undefined {
    return this.histories.get(backend);
  }

  /** Seconds the backend has been down in total, the current spell included. */
  downtimeSec(history: BackendHistory, now: number): number {
    const current = history.downSince > 0 ? now - history.downSince : 0;
    return Math.floor((history.downtimeMs + current) / 1000);
  }

  close(): void {
    this.unsubscribe();
  }

  private update(name: string): void {
    const backend = this.model.backends.get(name);
    const history = this.histories.get(name);
    if (backend === undefined || history === undefined) return;
    const up = backendUp(backend);
    if (up === history.up) return;
    const now = Date.now();
    history.up = up;
    history.lastChange = now;
    if (up) {
      history.downtimeMs += now - history.downSince;
      history.downSince = 0;
    } else {
      history.downTransitions++;
      history.downSince = now;
    }
  }
}
