import { type ChildProcess, spawn } from 'node:child_process';
import { killChild, trackChild } from '../support/processes.js';

/** One datagram the fake service manager received, split into its `KEY=VALUE` lines. */
export interface Notification {
  readonly fields: Record<string, string>;
  /** process.hrtime.bigint() of the test process when the line was read. */
  readonly receivedAt: bigint;
}

// Node cannot receive on an AF_UNIX datagram socket, so a few lines of
// Python play systemd's side: one JSON line per datagram, boundaries kept.
// recv() (not recvmsg) drops the fd that systemd-notify's BARRIER=1 passes;
// the kernel closes it, which releases the sender as systemd would.
const RECEIVER = `
import json, os, socket, sys
path = sys.argv[1]
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(path)
print(json.dumps({"listening": path}), flush=True)
while True:
    data = s.recv(65536)
    print(json.dumps({"datagram": data.decode("utf-8", "replace")}), flush=True)
`;

/**
 * A real NOTIFY_SOCKET for tests: a datagram socket at `path`, owned by the
 * test, that records every notification in arrival order.
 */
export class NotifyReceiver {
  readonly notifications: Notification[] = [];
  readonly #child: ChildProcess;
  readonly #waiters = new Set<() => void>();
  #partial = '';

  private constructor(readonly path: string) {
    this.#child = trackChild(
      spawn('python3', ['-c', RECEIVER, path], { stdio: ['ignore', 'pipe', 'inherit'] }),
    );
    this.#child.stdout?.setEncoding('utf8').on('data', (d: string) => this.#onData(d));
  }

  /** Starts the receiver; resolves once its socket is bound. */
  static async start(path: string): Promise<NotifyReceiver> {
    const receiver = new NotifyReceiver(path);
    await receiver.#ready;
    return receiver;
  }

  #readyResolve: (() => void) | undefined;
  readonly #ready = new Promise<void>((resolve) => {
    this.#readyResolve = resolve;
  });

  #onData(data: string): void {
    this.#partial += data;
    let nl = this.#partial.indexOf('\n');
    while (nl >= 0) {
      const line = JSON.parse(this.#partial.slice(0, nl)) as { listening?: string; datagram?: string };
      this.#partial = this.#partial.slice(nl + 1);
      if (line.listening !== undefined) this.#readyResolve?.();
      if (line.datagram !== undefined) {
        const fields: Record<string, string> = {};
        for (const assignment of line.datagram.split('\n')) {
          const eq = assignment.indexOf('=');
          if (eq > 0) fields[assignment.slice(0, eq)] = assignment.slice(eq + 1);
        }
        this.notifications.push({ fields, receivedAt: process.hrtime.bigint() });
        for (const wake of this.#waiters) wake();
      }
      nl = this.#partial.indexOf('\n');
    }
  }

  /** Resolves with the first notification from index `from` on that matches, or rejects after `timeoutMs`. */
  waitFor(predicate: (n: Notification) => boolean, from = 0, timeoutMs = 10_000): Promise<Notification> {
    return new Promise((resolve, reject) => {
      const check = (): boolean => {
        const found = this.notifications.slice(from).find(predicate);
        if (found === undefined) return false;
        this.#waiters.delete(check);
        clearTimeout(timer);
        resolve(found);
        return true;
      };
      const timer = setTimeout(() => {
        this.#waiters.delete(check);
        reject(
          new Error(`no matching notification within ${timeoutMs} ms: ${JSON.stringify(this.notifications)}`),
        );
      }, timeoutMs);
      if (!check()) this.#waiters.add(check);
    });
  }

  stop(): Promise<unknown> {
    return killChild(this.#child);
  }
}
