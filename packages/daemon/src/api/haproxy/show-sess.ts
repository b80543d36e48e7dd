import type { SessionInfo } from '@lbctl/protocol';
import { describeSessions, idOf } from '../../proxy/session-list.js';
import type { ApiContext } from '../context.js';

/** Live proxied sessions (the workers' when they carry the traffic) and runtime-API connections. */
export async function collectSessions(ctx: ApiContext): Promise<SessionInfo[]> {
  const now = Date.now();
  const out =
    ctx.workerSessions === undefined
      ? describeSessions(ctx.dataPlane.pools.values())
      : await ctx.workerSessions();
  for (const connection of ctx.connections) {
    out.push({
      id: idOf(connection),
      proto: connection.source.transport === 'unix' ? 'unix_stream' : 'tcpv4',
      source: connection.source.transport === 'unix' ? `unix:${connection.id}` : connection.source.socket,
      frontend: 'GLOBAL',
      backend: '<NONE>',
      server: '<none>',
      ageSec: Math.max(0, Math.floor((now - connection.openedAt) / 1000)),
    });
  }
  return out;
}

/** `show sess`: one line per stream with HAProxy's keys; lbd has no stream internals, so those read 0. */
export async function renderShowSess(ctx: ApiContext): Promise<string> {
  return (await collectSessions(ctx))
    .map(
      (s) =>
        `${s.id}: proto=${s.proto} src=${s.source} fe=${s.frontend} be=${s.backend} srv=${s.server} ts=00 ` +
        `epoch=0 age=${s.ageSec}s calls=0 rate=0 cpu=0 lat=0 rq[f=0h,i=0,an=00h,rx=,wx=,ax=] ` +
        'rp[f=0h,i=0,an=00h,rx=,wx=,ax=] scf=[8,0h,fd=-1] scb=[8,0h,fd=-1] exp= rc=0 c_exp=\n',
    )
    .join('');
}
