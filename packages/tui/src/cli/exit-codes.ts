/**
 * lbctl's exit codes: a contract with deploy scripts and keepalived, so they
 * never change meaning. `lbctl --help` and the README print this table.
 */
export const EXIT = {
  /** Success (for `check`: the daemon answers and every frontend has a usable server). */
  ok: 0,
  /** Any other error, including `lbctl check` finding the daemon unhealthy. */
  error: 1,
  /** Bad command line. */
  usage: 2,
  /** The daemon is not running or does not answer (within one second by default). */
  unreachable: 3,
  /** No server matches the name. */
  noSuchServer: 4,
  /** The bare server name exists in several backends. */
  ambiguous: 5,
  /** The socket's level (or the token) does not allow the command. */
  permissionDenied: 6,
  /** `drain --wait` timed out with sessions still open. */
  timedOut: 7,
  /** Interrupted by SIGINT (Ctrl-C). */
  interrupted: 130,
} as const;

/** One of lbctl's exit codes. */
export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

/**
 * Exit code per error code. lbctl's own codes and the daemon's codes that
 * deserve a distinct exit; anything else exits {@link EXIT.error}.
 */
const BY_CODE: Readonly<Record<string, ExitCode>> = {
  LB_ERR_USAGE: EXIT.usage,
  LB_ERR_DAEMON_UNREACHABLE: EXIT.unreachable,
  LB_ERR_NO_SUCH_SERVER: EXIT.noSuchServer,
  LB_ERR_NO_SUCH_BACKEND: EXIT.noSuchServer,
  LB_ERR_AMBIGUOUS_SERVER: EXIT.ambiguous,
  LB_ERR_PERMISSION_DENIED: EXIT.permissionDenied,
  LB_ERR_UNAUTHORIZED: EXIT.permissionDenied,
  LB_ERR_WAIT_TIMEOUT: EXIT.timedOut,
  LB_ERR_INTERRUPTED: EXIT.interrupted,
  // keepalived's vrrp_script only knows 0 and non-zero; 1 is what it documents.
  LB_ERR_CHECK_FAILED: EXIT.error,
};

/** The exit code for an error, by its `code` (never by class: codes cross package boundaries). */
export function exitCodeFor(err: unknown): ExitCode {
  const code = typeof err === 'object' && err !== null ? (err as { code?: unknown }).code : undefined;
  if (typeof code !== 'string') return EXIT.error;
  return BY_CODE[code] ?? EXIT.error;
}

/** The exit-code table as help text (for `lbctl --help` and the README). */
export const EXIT_CODES_HELP = `Exit codes:
  0    success (check: the daemon answers and every frontend has a usable server)
  1    other error; for check: unhealthy (the reason is on stderr)
  2    usage error (bad option, argument, duration or weight)
  3    daemon unreachable (not running, no socket; fails within 1 s)
  4    no such server
  5    ambiguous server name (listed on stderr; use backend/server)
  6    permission denied (socket level or token)
  7    timed out waiting (drain --wait --timeout)
  130  interrupted (Ctrl-C)`;
