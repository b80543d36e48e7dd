import { hostname } from 'node:os';
import { PRODUCT_VERSION } from '@lbctl/protocol';
import type { DataPlane } from '../../proxy/index.js';

/** `show info`: the keys hatop and the exporter read, in HAProxy 2.6's order. */
export function renderShowInfo(dataPlane: DataPlane, startedAt: number, nbthread: number): string {
  const now = Date.now();
  const uptime = Math.floor((now - startedAt) / 1000);
  const days = Math.floor(uptime / 86400);
  const hours = Math.floor((uptime % 86400) / 3600);
  const minutes = String(Math.floor((uptime % 3600) / 60)).padStart(2, '0');
  const seconds = String(uptime % 60).padStart(2, '0');
  let cumulated = 0;
  let rate = 0;
  let maxRate = 0;
  for (const listener of dataPlane.listeners) {
    cumulated += listener.counters.connections;
    rate += listener.counters.connectionRate.read(now);
    maxRate = Math.max(maxRate, listener.counters.connectionRate.max);
  }
  const maxconn = dataPlane.admission.maxconn;
  const fields: Array<[string, string | number]> = [
    ['Name', 'lbd'],
    ['Version', PRODUCT_VERSION],
    ['Release_date', '2026/11/21'],
    ['Nbthread', nbthread],
    ['Nbproc', 1],
    ['Process_num', 1],
    ['Pid', process.pid],
    ['Uptime', `${days}d ${hours}h${minutes}m${seconds}s`],
    ['Uptime_sec', uptime],
    ['Maxconn', maxconn],
    ['Hard_maxconn', maxconn],
    ['CurrConns', dataPlane.admission.active],
    ['CumConns', cumulated],
    ['ConnRate', rate],
    ['MaxConnRate', maxRate],
    ['SessRate', rate],
    ['MaxSessRate', maxRate],
    ['node', hostname()],
    ['Stopping', 0],
    ['Start_time_sec', Math.floor(startedAt / 1000)],
  ];
  return `${fields.map(([key, value]) => `${key}: ${value}`).join('\n')}\n`;
}
