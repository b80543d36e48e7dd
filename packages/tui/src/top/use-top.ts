import { type Dispatch, useEffect, useReducer } from 'react';
import { type TopAction, topReducer } from './reducer.js';
import { SERVER_ACTIONS } from './server-actions.js';
import type { TopSource } from './source.js';
import type { TopState } from './state.js';

/** How often the clock advances (banners' counters, message expiry), ms. */
export const TICK_MS = 1000;

function errorText(error: unknown): string {
  const e = error as { code?: unknown; message?: unknown };
  const message = typeof e?.message === 'string' ? e.message : String(error);
  return typeof e?.code === 'string' ? `${e.code}: ${message}` : message;
}

/**
 * The dashboard's state: the reducer fed by the source, a clock tick, and
 * the one place where confirmed actions leave for the daemon (the outbox),
 * so the reducer itself stays pure.
 */
export function useTop(
  source: TopSource,
  initial: TopState,
  now: () => number,
): [TopState, Dispatch<TopAction>] {
  const [state, dispatch] = useReducer(topReducer, initial);

  useEffect(() => source.start(dispatch), [source]);

  useEffect(() => {
    // setInterval, not a chain of setTimeout: tests fake only setInterval (React 19's scheduler needs real timeouts).
    const timer = setInterval(() => dispatch({ type: 'tick', time: now() }), TICK_MS);
    return () => clearInterval(timer);
  }, [now]);

  useEffect(() => {
    if (state.outbox.length === 0) return;
    const batch = state.outbox;
    dispatch({ type: 'actions-sent', ids: batch.map((a) => a.id) });
    for (const pending of batch) {
      const spec = SERVER_ACTIONS[pending.action];
      const name = `${pending.target.backend}/${pending.target.server}`;
      source.run(pending.target.node, spec.request(pending.target, pending.value)).then(
        (data) =>
          dispatch({
            type: 'action-result',
            id: pending.id,
            ok: true,
            text: `${name}: ${spec.result(data)}`,
            time: now(),
          }),
        (error: unknown) =>
          dispatch({
            type: 'action-result',
            id: pending.id,
            ok: false,
            text: `${name}: ${errorText(error)}`,
            time: now(),
          }),
      );
    }
  }, [state.outbox, source, now]);

  return [state, dispatch];
}
