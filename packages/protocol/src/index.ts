export { hasErrorCode, LbError } from './errors.js';
export { HAPROXY_STAT_COLUMNS, type StatColumn, type StatRow } from './stats-columns.js';
export { PRODUCT_VERSION, PROTOCOL_VERSION } from './version.js';
