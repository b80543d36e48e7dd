/**
 * The process-wide connection budget (global `maxconn`). A frontend at its
 * own or the global limit stops taking sessions and parks new connections
 * until a slot frees, the way a listener that stops accepting leaves them in
 * the kernel's backlog. Node accepts every connection itself, so lbd holds
 * them paused instead, up to a bounded backlog.
 */
export class Admission {
  active = 0;
  private readonly waiters: Array<() => boolean> = [];

  /** The global `maxconn`; a reload may change it, sessions already admitted stay. */
  constructor(public maxconn: number) {}

  get full(): boolean {
    return this.active >= this.maxconn;
  }

  /** A frontend with parked connections asks to be told when slots free. */
  addWaiter(tryAdmit: () => boolean): void {
    this.waiters.push(tryAdmit);
  }

  /** A frontend that a reload replaced stops being asked. */
  removeWaiter(tryAdmit: () => boolean): void {
    const index = this.waiters.indexOf(tryAdmit);
    if (index >= 0) this.waiters.splice(index, 1);
  }

  /** A session ended: let parked connections in, frontends in turn. */
  released(): void {
    for (const tryAdmit of this.waiters) {
      if (this.full) return;
      tryAdmit();
    }
  }
}
