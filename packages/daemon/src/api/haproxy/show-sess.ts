import type { SessionInfo } from '@lbctl/protocol';
import type { ApiContext } from '../context.js';

const ids = new WeakMap<object, number>();
let nextId = 1;

/** A stable pseudo-address per session, as HAProxy prints a stream's pointer. */
function idOf(session: object): string {
  let id = ids.get(session);
  if (id === undefined) {
    id = nextId++;
    ids.set(session, id);
  }
  return `0x${(0x10000 + id).toString(16)}`;
}

/** Live proxied sessions and runtime-API connections. */
export function collectSessions(ctx: ApiContext): SessionInfo[] {
  const now = Date.now();
  const out: SessionInfo[] = [];
  for (const pool of ctx.dataPlane.pools.values()) {
    for (const server of pool.servers) {
      for (const session of server.sessions) {
        const described = session.describe();
        out.push({
          id: idOf(session),
          proto: described.source.includes('.') ? 'tcpv4' : 'tcpv6',
          source: described.source,
          frontend: described.frontend,
          backend: pool.name,
          server: server.model.name,
          ageSec: Math.max(0, Math.floor((now - described.acceptedAt) / 1000)),
        });
      }
    }
  }
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
export function renderShowSess(ctx: ApiContext): string {
  return collectSessions(ctx)
    .map(
      (s) =>
        `${s.id}: proto=${s.proto} src=${s.source} fe=${s.frontend} be=${s.backend} srv=${s.server} ts=00 ` +
        `epoch=0 age=${s.ageSec}s calls=0 rate=0 cpu=0 lat=0 rq[f=0h,i=0,an=00h,rx=,wx=,ax=] ` +
        'rp[f=0h,i=0,an=00h,rx=,wx=,ax=] scf=[8,0h,fd=-1] scb=[8,0h,fd=-1] exp= rc=0 c_exp=\n',
    )
    .join('');
}
