import { ApiError, type PortsReport } from '@lbctl/protocol';
import type { ApiContext } from '../context.js';

/** The ports report for `show ports` (both dialects); a coded error where no monitor runs. */
export function portsReport(ctx: ApiContext): Promise<PortsReport> {
  if (ctx.portsReport === undefined) {
    return Promise.reject(new ApiError('LB_ERR_NOT_CONFIGURED', 'the ports monitor is not running.'));
  }
  return ctx.portsReport();
}
