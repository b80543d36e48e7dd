/**
 * The source addresses successive checks of one server leave from, with
 * `source A,B,C[:LOW-HIGH]`: each address in turn, so that within as many
 * intervals as there are addresses every address's path to the server has
 * been checked (a firewall rule or a route that lets one address through
 * and not another shows up in the checks, not only in the traffic's connect
 * errors). Least used first, as the traffic goes, would keep checking from
 * the same quiet address and never from a busy one. A check is one
 * connection per interval: the order cannot matter to the ports' headroom.
 *
 * An address the data plane found out of ports (the kernel had none left
 * after bind()) is passed over while another is usable: a check from it
 * would fail for lbd's own shortage and take a healthy server DOWN.
 */
export class CheckSourceRotation {
  private turn = 0;

  /**
   * @param addresses the `source` addresses in configuration order (empty: the kernel chooses).
   * @param blockedUntil epoch ms until which the data plane skips an address; 0 when usable.
   */
  constructor(
    private readonly addresses: readonly string[],
    private readonly blockedUntil: (address: string) => number = () => 0,
  ) {}

  /** The address the next check leaves from; undefined without `source`. */
  next(now = Date.now()): string | undefined {
    const count = this.addresses.length;
    if (count === 0) return undefined;
    for (let i = 0; i < count; i++) {
      const at = (this.turn + i) % count;
      const address = this.addresses[at]!;
      if (this.blockedUntil(address) <= now) {
        this.turn = (at + 1) % count;
        return address;
      }
    }
    // Every address is out of ports: the check goes anyway and reports what the kernel says.
    const address = this.addresses[this.turn]!;
    this.turn = (this.turn + 1) % count;
    return address;
  }
}
