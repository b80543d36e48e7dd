import { type ClientTarget, hasErrorCode, LbClient } from '@lbctl/protocol';
import { DaemonUnreachableError, PermissionDeniedError } from '../errors.js';
import { describeTarget } from './targets.js';

/** Options of {@link openClient}. */
export interface OpenClientOptions {
  /** Deadline for connecting and the `hello` answer together, in ms. @default 1000 */
  timeoutMs?: number;
  /** Deadline of each later request, in ms. @default 10000 */
  requestTimeoutMs?: number;
}

/** The default deadline of {@link openClient}: a missing daemon must fail fast in scripts. */
export const DEFAULT_CONNECT_TIMEOUT_MS = 1000;

/**
 * Connects to a daemon and sends `hello`, so that a returned client is known
 * to speak the protocol. Fails with {@link DaemonUnreachableError}
 * (`LB_ERR_DAEMON_UNREACHABLE`, naming the target) when nothing answers within
 * `timeoutMs`, or with {@link PermissionDeniedError} when the socket file is
 * not accessible or the WebSocket token is refused.
 */
export async function openClient(target: ClientTarget, opts: OpenClientOptions = {}): Promise<LbClient> {
  const timeoutMs = opts.timeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS;
  const where = describeTarget(target);
  const deadline = Date.now() + timeoutMs;
  let client: LbClient;
  try {
    client = await LbClient.connect(target, {
      connectTimeoutMs: timeoutMs,
      requestTimeoutMs: opts.requestTimeoutMs ?? 10_000,
    });
  } catch (err) {
    throw translate(err, where);
  }
  // The hello gets what is left of the deadline: a socket that accepts but
  // never answers (a hung daemon, a non-lbd listener) must not hang a script.
  const left = Math.max(1, deadline - Date.now());
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      client.hello('lbctl'),
      new Promise<never>((_, reject) => {
        timer = setTimeout(
          () => reject(new DaemonUnreachableError(`lbd at ${where} did not answer within ${timeoutMs} ms`)),
          left,
        );
      }),
    ]);
  } catch (err) {
    client.close();
    throw translate(err, where);
  } finally {
    clearTimeout(timer);
  }
  return client;
}

function translate(err: unknown, where: string): Error {
  if (hasErrorCode(err, 'LB_ERR_DAEMON_UNREACHABLE')) return err as Error;
  if (hasErrorCode(err, 'LB_ERR_UNAUTHORIZED')) {
    return new PermissionDeniedError(`lbd at ${where} refused the token`, { cause: err });
  }
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  if (code === 'EACCES' || code === 'EPERM') {
    return new PermissionDeniedError(`no permission to open ${where}`, { cause: err });
  }
  const reason =
    code === 'ENOENT'
      ? 'no such socket'
      : code === 'ECONNREFUSED'
        ? 'connection refused'
        : err instanceof Error
          ? err.message
          : String(err);
  return new DaemonUnreachableError(`cannot reach lbd at ${where}: ${reason}`, { cause: err });
}
