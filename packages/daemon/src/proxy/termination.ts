/**
 * HAProxy's two-letter termination state, as `%ts` prints it in tcplog.
 * First letter, who or what ended the session: C client, S server, P proxy,
 * R resource (no source port), c/s client/server timeout, K killed by an
 * operator, D server marked down, - normal end. Second letter, where it was:
 * Q queue, C connect, D data, R reading a PROXY header, - normal.
 */
export type TerminationCause = 'C' | 'S' | 'P' | 'R' | 'c' | 's' | 'K' | 'D' | '-';
export type TerminationPhase = 'Q' | 'C' | 'D' | 'R' | '-';

/** The phase a session is in, named as the second termination letter. */
export type SessionPhase = Exclude<TerminationPhase, '-'>;

export function terminationState(cause: TerminationCause, phase: TerminationPhase): string {
  return cause === '-' ? '--' : `${cause}${phase}`;
}
