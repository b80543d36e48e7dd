import { describe, expect, it } from 'vitest';
import { connectionLogRecord, formatAcceptDate, formatTcpLogLine } from './connection-log.js';
import type { SessionSummary } from './session-types.js';

const summary: SessionSummary = {
  client: { address: '127.0.0.7', port: 40112, localAddress: '127.0.0.1', localPort: 23306 },
  acceptedAt: new Date(2026, 10, 21, 6, 10, 46, 519).getTime(),
  frontend: 'mysql_proxy',
  backend: 'mysql_proxy',
  server: 'db1',
  queueMs: 0,
  connectMs: 1,
  totalMs: 5012,
  bytesFromServer: 1543,
  bytesFromClient: 120,
  termination: '--',
  retries: 1,
  redispatched: true,
  serverConnections: 1,
  backendConnections: 2,
};

describe('connection log', () => {
  it('prints the accept date as HAProxy does', () => {
    expect(formatAcceptDate(summary.acceptedAt)).toBe('21/Nov/2026:06:10:46.519');
  });

  it('renders the tcplog line, with + before a redispatched retry count', () => {
    const record = connectionLogRecord(summary, { active: 3, frontend: 2, serverQueue: 0, backendQueue: 4 });
    expect(formatTcpLogLine(record)).toBe(
      '127.0.0.7:40112 [21/Nov/2026:06:10:46.519] mysql_proxy mysql_proxy/db1 0/1/5012 1543 -- 3/2/2/1/+1 0/4',
    );
    const noServer = connectionLogRecord(
      { ...summary, server: undefined, connectMs: -1, termination: 'SQ', redispatched: false, retries: 0 },
      { active: 1, frontend: 1, serverQueue: 0, backendQueue: 0 },
    );
    expect(formatTcpLogLine(noServer)).toContain('mysql_proxy/<NOSRV> 0/-1/5012 1543 SQ 1/1/2/1/0 0/0');
  });
});
