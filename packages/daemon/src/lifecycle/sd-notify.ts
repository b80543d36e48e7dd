import { execFile } from 'node:child_process';
import type { Logger } from 'pino';

/**
 * Sends one notification (`KEY=VALUE` lines) to the service manager.
 * Injected so tests can record messages without a process.
 */
export type NotifySender = (assignments: readonly string[]) => Promise<void>;

/** Options of {@link SdNotifier}. */
export interface SdNotifierOptions {
  /**
   * The service manager's socket, from `NOTIFY_SOCKET`. Undefined or empty:
   * every method is a no-op (lbd not run by systemd as `Type=notify`).
   * @default process.env.NOTIFY_SOCKET
   */
  socket?: string | undefined;
  /** @default {@link systemdNotifySender} */
  send?: NotifySender;
  log: Logger;
}

/**
 * Tells systemd where lbd is in its life (sd_notify(3)): READY=1 once the
 * listeners are bound, RELOADING=1 / READY=1 around a reload, STOPPING=1,
 * and STATUS= lines for `systemctl status`.
 *
 * Why `systemd-notify` in a child process rather than a socket of our own:
 * Node has no AF_UNIX datagram sockets, and the alternatives cost more than
 * they save. A native addon needs a compiler and allowed build scripts on
 * every install, for ~50 lines of C; socat or python are dependencies lbd
 * would otherwise not have. `systemd-notify` ships with systemd itself, so
 * it is present wherever NOTIFY_SOCKET is set. Its known weakness, a
 * short-lived sender whose cgroup systemd can no longer look up, is closed
 * by its default blocking mode (it waits on BARRIER=1 until systemd has
 * processed the message) and by `--pid=<lbd's pid>`, which lets a
 * privileged sender speak as lbd itself; the unit sets NotifyAccess=all for
 * the unprivileged case. Messages go out one at a time, in call order, so
 * RELOADING=1 can never overtake READY=1.
 */
export class SdNotifier {
  readonly enabled: boolean;
  private readonly send: NotifySender;
  private readonly log: Logger;
  private queue: Promise<void> = Promise.resolve();

  constructor(options: SdNotifierOptions) {
    const socket = 'socket' in options ? options.socket : process.env.NOTIFY_SOCKET;
    this.enabled = socket !== undefined && socket !== '';
    this.send = options.send ?? systemdNotifySender(socket ?? '');
    this.log = options.log;
  }

  /** Start-up (or a reload) is complete: lbd accepts connections. */
  ready(status: string): Promise<void> {
    return this.notify(['READY=1', `STATUS=${status}`]);
  }

  /**
   * A reload starts. MONOTONIC_USEC lets systemd (Type=notify-reload, v253+)
   * tell this reload from an older one; process.hrtime is CLOCK_MONOTONIC on Linux.
   */
  reloading(status = 'reloading configuration'): Promise<void> {
    const usec = process.hrtime.bigint() / 1000n;
    return this.notify(['RELOADING=1', `MONOTONIC_USEC=${usec}`, `STATUS=${status}`]);
  }

  /** A stop starts: systemd then waits for the exit, not for READY. */
  stopping(status = 'stopping: finishing running sessions'): Promise<void> {
    return this.notify(['STOPPING=1', `STATUS=${status}`]);
  }

  /** A free-form status line for `systemctl status`. */
  status(text: string): Promise<void> {
    return this.notify([`STATUS=${text}`]);
  }

  /** Resolves once every notification sent so far is delivered (or failed). */
  flush(): Promise<void> {
    return this.queue;
  }

  private notify(assignments: string[]): Promise<void> {
    if (!this.enabled) return Promise.resolve();
    // A newline inside a value would start a new assignment: keep STATUS one line.
    const clean = assignments.map((a) => a.replace(/[\r\n]+/g, ' '));
    this.queue = this.queue.then(() =>
      this.send(clean).catch((err: unknown) => {
        // Never fatal: lbd serves traffic whether or not systemd hears about it.
        this.log.warn({ err, component: 'sd-notify' }, 'sd_notify failed');
      }),
    );
    return this.queue;
  }
}

/** How long one `systemd-notify` may take, barrier included, before it is abandoned. */
const SEND_TIMEOUT_MS = 5000;

/** A {@link NotifySender} that runs `systemd-notify --pid=<lbd> KEY=VALUE...` with `socket` as NOTIFY_SOCKET. */
export function systemdNotifySender(socket: string): NotifySender {
  return (assignments) =>
    new Promise((resolve, reject) => {
      execFile(
        'systemd-notify',
        [`--pid=${process.pid}`, ...assignments],
        { env: { ...process.env, NOTIFY_SOCKET: socket }, timeout: SEND_TIMEOUT_MS },
        (error, _stdout, stderr) => {
          if (error === null) resolve();
          else reject(new Error(`systemd-notify: ${stderr.trim() || error.message}`, { cause: error }));
        },
      );
    });
}
