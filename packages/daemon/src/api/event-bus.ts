import type { StreamedEvent } from '@lbctl/protocol';

/** Receives every published event. */
export type EventListener = (event: StreamedEvent) => void;

/**
 * The daemon's event stream: sources (the runtime model, the runtime API's
 * admin actions, the health checker, reloads, the ports monitor) publish,
 * the runtime API fans events out to subscribers. Besides the events proper
 * it carries the ports monitor's reports (topic `ports-report`), which
 * subscribers receive the same way. A new source plugs in with
 * one call to {@link publish}; the bus has no knowledge of who publishes.
 */
export class EventBus {
  private readonly listeners = new Set<EventListener>();

  /** Delivers `event` to every listener now. A listener that throws does not stop the others. */
  publish(event: StreamedEvent): void {
    for (const listener of this.listeners) {
      try {
        listener(event);
      } catch {
        // A subscriber's failure is its own; the publisher (often the data path) must not see it.
      }
    }
  }

  /** Adds a listener; returns the function that removes it. */
  listen(listener: EventListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}
