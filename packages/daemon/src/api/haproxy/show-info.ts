import { hostname } from 'node:os';
import { performance } from 'node:perf_hooks';
import { PRODUCT_VERSION } from '@lbctl/protocol';
import type { ApiContext } from '../context.js';
import { expandTags, type FieldTag, tagType } from './field-tags.js';
import { typedJsonValue } from './stat-format.js';

/** Release date printed by `show info` (hatop shows it; the exporter labels with it). */
export const RELEASE_DATE = '2026/11/21';

type Value = string | number | undefined;

/** Process figures computed once per `show info`. */
interface Figures {
  now: number;
  uptime: number;
  conns: number;
  connRate: number;
  maxConnRate: number;
  sessRate: number;
  maxSessRate: number;
  bytesOut: number;
  rss: number;
  heapUsed: number;
  idlePct: number;
  ulimit: number;
  maxsock: number;
}

/** HAProxy 2.6's `show info` fields in order: position, key, tag, value. Undefined values are left out, as HAProxy does. */
const FIELDS: ReadonlyArray<readonly [number, string, FieldTag, (ctx: ApiContext, f: Figures) => Value]> = [
  [0, 'Name', 'POS:str', () => 'lbd'],
  [1, 'Version', 'POS:str', () => PRODUCT_VERSION],
  [2, 'Release_date', 'POS:str', () => RELEASE_DATE],
  [3, 'Nbthread', 'CGS:u32', (ctx) => ctx.config.global.nbthread],
  [4, 'Nbproc', 'CGS:u32', () => 1],
  [5, 'Process_num', 'KGP:u32', () => 1],
  [6, 'Pid', 'SGP:u32', () => process.pid],
  [7, 'Uptime', 'MDP:str', (_, f) => formatUptime(f.uptime)],
  [8, 'Uptime_sec', 'MDP:u32', (_, f) => f.uptime],
  [9, 'Memmax_MB', 'CLP:u32', () => 0],
  [10, 'PoolAlloc_MB', 'MGP:u32', (_, f) => Math.floor(f.rss / 1048576)],
  [11, 'PoolUsed_MB', 'MGP:u32', (_, f) => Math.floor(f.heapUsed / 1048576)],
  [12, 'PoolFailed', 'MCP:u32', () => 0],
  [13, 'Ulimit-n', 'CLP:u32', (_, f) => f.ulimit],
  [14, 'Maxsock', 'CLP:u32', (_, f) => f.maxsock],
  [15, 'Maxconn', 'CLP:u32', (ctx) => ctx.dataPlane.admission.maxconn],
  [16, 'Hard_maxconn', 'CLP:u32', (ctx) => ctx.dataPlane.admission.maxconn],
  [17, 'CurrConns', 'MGP:u32', (ctx) => ctx.dataPlane.admission.active],
  [18, 'CumConns', 'MCP:u32', (_, f) => f.conns],
  [19, 'CumReq', 'MCP:u32', (_, f) => f.conns],
  [20, 'MaxSslConns', 'MMP:u32', () => 0],
  [21, 'CurrSslConns', 'MGP:u32', () => 0],
  [22, 'CumSslConns', 'MCP:u32', () => 0],
  [23, 'Maxpipes', 'CLP:u32', () => 0],
  [24, 'PipesUsed', 'MGP:u32', () => 0],
  [25, 'PipesFree', 'MGP:u32', () => 0],
  [26, 'ConnRate', 'MRP:u32', (_, f) => f.connRate],
  [27, 'ConnRateLimit', 'CLP:u32', () => 0],
  [28, 'MaxConnRate', 'MMP:u32', (_, f) => f.maxConnRate],
  [29, 'SessRate', 'MRP:u32', (_, f) => f.sessRate],
  [30, 'SessRateLimit', 'CLP:u32', () => 0],
  [31, 'MaxSessRate', 'MRP:u32', (_, f) => f.maxSessRate],
  [32, 'SslRate', 'MRP:u32', () => 0],
  [33, 'SslRateLimit', 'CLP:u32', () => 0],
  [34, 'MaxSslRate', 'MMP:u32', () => 0],
  [35, 'SslFrontendKeyRate', 'MGP:u32', () => 0],
  [36, 'SslFrontendMaxKeyRate', 'MMP:u32', () => 0],
  [37, 'SslFrontendSessionReuse_pct', 'MGP:u32', () => 0],
  [38, 'SslBackendKeyRate', 'MRP:u32', () => 0],
  [39, 'SslBackendMaxKeyRate', 'MMP:u32', () => 0],
  [40, 'SslCacheLookups', 'MCP:u32', () => 0],
  [41, 'SslCacheMisses', 'MCP:u32', () => 0],
  [42, 'CompressBpsIn', 'MRP:u32', () => 0],
  [43, 'CompressBpsOut', 'MRP:u32', () => 0],
  [44, 'CompressBpsRateLim', 'CLP:u32', () => 0],
  [47, 'Tasks', 'MGP:u32', (ctx) => ctx.dataPlane.admission.active + ctx.dataPlane.listeners.length],
  [48, 'Run_queue', 'MGP:u32', () => 0],
  [49, 'Idle_pct', 'MaP:u32', (_, f) => f.idlePct],
  [50, 'node', 'COS:str', (ctx) => ctx.config.global.node ?? (hostname() || 'lbd')],
  [51, 'description', 'COS:str', (ctx) => ctx.config.global.description],
  [52, 'Stopping', 'MGP:u32', (ctx) => (ctx.stopping ? 1 : 0)],
  [53, 'Jobs', 'MGP:u32', (ctx) => ctx.dataPlane.admission.active + ctx.connections.size + ctx.listenerCount],
  [54, 'Unstoppable Jobs', 'MGP:u32', () => 0],
  [55, 'Listeners', 'MGP:u32', (ctx) => ctx.listenerCount + ctx.dataPlane.listeners.length],
  [56, 'ActivePeers', 'MGP:u32', () => 0],
  [57, 'ConnectedPeers', 'MGP:u32', () => 0],
  [58, 'DroppedLogs', 'MGP:u32', () => 0],
  [59, 'BusyPolling', 'MGP:u32', () => 0],
  [60, 'FailedResolutions', 'MGP:u32', () => 0],
  [61, 'TotalBytesOut', 'MGP:u64', (_, f) => f.bytesOut],
  [62, 'TotalSplicdedBytesOut', 'MGP:u64', () => 0],
  [63, 'BytesOutRate', 'MRP:u64', () => 0],
  [64, 'DebugCommandsIssued', 'MGP:u32', () => 0],
  [65, 'CumRecvLogs', 'MCP:u32', () => 0],
  [66, 'Build info', 'POS:str', () => `lbd ${PRODUCT_VERSION} (node ${process.version})`],
  [67, 'Memmax_bytes', 'CLP:u32', () => 0],
  [68, 'PoolAlloc_bytes', 'MGP:u64', (_, f) => f.rss],
  [69, 'PoolUsed_bytes', 'MGP:u64', (_, f) => f.heapUsed],
  [70, 'Start_time_sec', 'MDP:u32', (ctx) => Math.floor(ctx.startedAt / 1000)],
  [71, 'Tainted', 'SGP:str', () => 0],
];

/** `0d 0h00m12s`, HAProxy's uptime format. */
function formatUptime(seconds: number): string {
  const days = Math.floor(seconds / 86400);
  const hours = Math.floor((seconds % 86400) / 3600);
  const minutes = String(Math.floor((seconds % 3600) / 60)).padStart(2, '0');
  return `${days}d ${hours}h${minutes}m${String(seconds % 60).padStart(2, '0')}s`;
}

let lastElu = performance.eventLoopUtilization();

function figures(ctx: ApiContext): Figures {
  const now = Date.now();
  let conns = 0;
  let connRate = 0;
  let maxConnRate = 0;
  let sessRate = 0;
  let maxSessRate = 0;
  let bytesOut = 0;
  for (const listener of ctx.dataPlane.listeners) {
    const c = listener.counters;
    conns += c.connections;
    connRate += c.connectionRate.read(now);
    maxConnRate = Math.max(maxConnRate, c.connectionRate.max);
    sessRate += c.sessionRate.read(now);
    maxSessRate = Math.max(maxSessRate, c.sessionRate.max);
    bytesOut += c.bytesOut;
  }
  const memory = process.memoryUsage();
  const elu = performance.eventLoopUtilization(lastElu);
  lastElu = performance.eventLoopUtilization();
  return {
    now,
    uptime: Math.max(0, Math.floor((now - ctx.startedAt) / 1000)),
    conns,
    connRate,
    maxConnRate,
    sessRate,
    maxSessRate,
    bytesOut,
    rss: memory.rss,
    heapUsed: memory.heapUsed,
    idlePct: Math.round(100 * (1 - elu.utilization)),
    ulimit: ctx.fdLimits.ulimitN,
    maxsock: ctx.fdLimits.maxsock,
  };
}

/** The `show info` fields with values, in order. */
export function infoFields(
  ctx: ApiContext,
): { pos: number; name: string; tag: FieldTag; value: string | number }[] {
  const f = figures(ctx);
  const out: { pos: number; name: string; tag: FieldTag; value: string | number }[] = [];
  for (const [pos, name, tag, get] of FIELDS) {
    const value = get(ctx, f);
    if (value !== undefined && value !== '') out.push({ pos, name, tag, value });
  }
  return out;
}

/** `show info [typed|json]`. */
export function renderShowInfo(ctx: ApiContext, format: 'text' | 'typed' | 'json'): string {
  const fields = infoFields(ctx);
  if (format === 'typed') {
    return fields.map((f) => `${f.pos}.${f.name}.1:${f.tag}:${f.value}\n`).join('');
  }
  if (format === 'json') {
    const items = fields.map((f) => ({
      field: { pos: f.pos, name: f.name },
      processNum: 1,
      tags: expandTags(f.tag),
      value: typedJsonValue(tagType(f.tag), f.value),
    }));
    return `${JSON.stringify(items)}\n`;
  }
  return fields.map((f) => `${f.name}: ${f.value}\n`).join('');
}

/** The `show info` fields as a `{key: value}` record, for JSON clients. */
export function infoRecord(ctx: ApiContext): Record<string, string | number> {
  return Object.fromEntries(infoFields(ctx).map((f) => [f.name, f.value]));
}
