import type { TopAction } from './reducer.js';
import type { ActionRequest } from './server-actions.js';

/**
 * Where the dashboard's data comes from and where its actions go: the live
 * daemons in production, a fake in tests. The dashboard never polls; a
 * source pushes what it learns as reducer actions.
 */
export interface TopSource {
  /** Starts delivering actions (connections, snapshots, events); returns a function that stops it. */
  start(dispatch: (action: TopAction) => void): () => void;
  /** Sends one request to one daemon; resolves with the response's data, rejects with the daemon's error. */
  run(node: number, request: ActionRequest): Promise<unknown>;
}
