import type { SourceConfig } from '../config/types.js';

/** The local address (and port, when a range is configured) one connection leaves from. */
export interface LocalEndpoint {
  address: string;
  port: number | undefined;
}

/**
 * Hands out source endpoints for `source ADDR[:LOW-HIGH]`. With a port range
 * lbd walks the range itself so consecutive connections do not reuse a port
 * still in TIME_WAIT toward the same server; the kernel reports a collision
 * as EADDRINUSE and the caller asks for the next port.
 */
export class SourcePicker {
  private nextAddress = 0;
  private nextPort: number;

  constructor(private readonly source: SourceConfig) {
    this.nextPort = source.portRange?.low ?? 0;
  }

  /** How many different ports one attempt may try before giving up. */
  get portAttempts(): number {
    const range = this.source.portRange;
    return range ? Math.min(16, range.high - range.low + 1) : 1;
  }

  next(): LocalEndpoint {
    const addresses = this.source.addresses;
    const address = addresses[this.nextAddress % addresses.length]!;
    this.nextAddress = (this.nextAddress + 1) % addresses.length;
    const range = this.source.portRange;
    if (range === undefined) return { address, port: undefined };
    const port = this.nextPort;
    this.nextPort = port >= range.high ? range.low : port + 1;
    return { address, port };
  }
}
