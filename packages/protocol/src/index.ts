export { HAPROXY_STAT_COLUMNS, type StatColumn, type StatRow } from './stats-columns.js';
export { PROTOCOL_VERSION, PRODUCT_VERSION } from './version.js';
export { LbError, hasErrorCode } from './errors.js';
