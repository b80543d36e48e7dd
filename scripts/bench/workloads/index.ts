/** Every workload, in the order the bench runs them and the table lists them. */
import type { WorkloadId } from '../lib/options.ts';
import type { Workload } from '../lib/workload.ts';
import { bulkEightStreams, bulkOneStream } from './bulk.ts';
import { churn } from './churn.ts';
import { idleMemory } from './idle-memory.ts';
import { keepalive } from './keepalive.ts';

export const WORKLOADS: Record<WorkloadId, Workload> = {
  'bulk-p1': bulkOneStream,
  'bulk-p8': bulkEightStreams,
  churn,
  keepalive,
  'idle-memory': idleMemory,
};
