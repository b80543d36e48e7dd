/**
 * Runtime-API access levels, as HAProxy's `stats socket ... level`: each
 * level may run the commands of the levels below it.
 */
export const ACCESS_LEVELS = ['user', 'operator', 'admin'] as const;

/** One access level. */
export type AccessLevel = (typeof ACCESS_LEVELS)[number];

/** True when a connection at level `have` may run a command that needs `need`. */
export function levelAllows(have: AccessLevel, need: AccessLevel): boolean {
  return ACCESS_LEVELS.indexOf(have) >= ACCESS_LEVELS.indexOf(need);
}

/** The lower of two levels: a session may lower its level, never raise it. */
export function lowerLevel(current: AccessLevel, requested: AccessLevel): AccessLevel {
  return levelAllows(current, requested) ? requested : current;
}
