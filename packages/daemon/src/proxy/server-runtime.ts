import type { ServerModel } from '../model/index.js';
import { TargetCounters } from './counters.js';

/**
 * The data plane's side of a server: its live slot count and counters, next
 * to the control-plane decisions (model) it obeys.
 */
export class ServerRuntime {
  readonly counters = new TargetCounters();
  /** Smooth weighted round-robin accumulator, owned by the balancer. */
  rrCurrent = 0;

  constructor(readonly model: ServerModel) {}

  /** At its `maxconn`: new sessions must wait in the queue. */
  get full(): boolean {
    return this.model.maxconn > 0 && this.counters.current >= this.model.maxconn;
  }
}
