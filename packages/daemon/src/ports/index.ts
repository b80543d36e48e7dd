/**
 * The ports monitor (control plane): source-port and file-descriptor
 * accounting, pressure alerts with advice, and the `show ports` report.
 */
export {
  adviceFor,
  CRITICAL_HEADROOM_PCT,
  type PortMode,
  type PressureLevel,
  pressureLevel,
  WARNING_HEADROOM_PCT,
} from './advice.js';
export type { PortAlert } from './alerts.js';
export { coolingPolicyFor } from './cooling.js';
export {
  computeFdBudget,
  countOpenFds,
  type FdBudget,
  fdBudgetWarning,
  readOpenFilesLimit,
} from './fd-budget.js';
export {
  type KernelPortSettings,
  readKernelPortSettings,
  readKernelPortSettingsSync,
  usablePorts,
} from './kernel-settings.js';
export {
  PortsMonitor,
  type PortsMonitorEvents,
  type PortsMonitorOptions,
} from './ports-monitor.js';
export {
  buildPortsReport,
  type PortsPairReport,
  type PortsReport,
  type PortsServerReport,
  type PortsSourceReport,
} from './ports-report.js';
export { PORTS_TEXT_VERSION, renderPortsText } from './ports-text.js';
export { scanSocketTable } from './table-reader.js';
