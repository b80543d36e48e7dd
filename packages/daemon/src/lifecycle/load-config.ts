import { loadConfigFiles, type ParseResult } from '../config/index.js';
import { healthCheckErrors } from '../health/index.js';

/**
 * Reads and checks configuration files the way lbd runs them: the HAProxy
 * dialect, plus what the health-check engine makes of the check keywords,
 * all errors reported together with FILE:LINE. Used by `lbd -c`, start and
 * reload alike, so a file that passes `-c` starts.
 */
export function loadDaemonConfig(paths: readonly string[]): Promise<ParseResult> {
  return loadConfigFiles(paths, { proxyValidators: [healthCheckErrors] });
}
