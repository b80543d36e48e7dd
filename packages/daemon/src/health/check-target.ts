import type { ProxyConfig, SendProxyVersion } from '../config/types.js';
import type { ServerModel } from '../model/index.js';
import { CheckSocket } from './check-socket.js';
import type { ConnectOverride, ProbeIo } from './check-types.js';
import type { CheckTimeouts } from './timing.js';

const V2_SIGNATURE = Buffer.from('0d0a0d0a000d0a515549540a', 'hex');

/**
 * The PROXY header of a check connection. A check has no client, so it says
 * so: v1 `UNKNOWN`, v2 the LOCAL command; the server then uses the real
 * connection addresses.
 */
export function checkProxyHeader(version: 1 | 2): Buffer {
  if (version === 1) return Buffer.from('PROXY UNKNOWN\r\n', 'latin1');
  return Buffer.concat([V2_SIGNATURE, Buffer.from([0x20, 0x00, 0x00, 0x00])]);
}

/**
 * Whether checks send a PROXY header, and which version: always with
 * `check-send-proxy`; otherwise, as HAProxy, when the server's traffic
 * carries one and the check goes to the server itself (no `port`/`addr`).
 */
export function checkProxyVersion(server: ServerModel): 0 | 1 | 2 {
  const cfg = server.config;
  const version: SendProxyVersion = cfg.sendProxy;
  if (cfg.checkSendProxy) return version === 0 ? 1 : version;
  if (version !== 0 && cfg.checkPort === undefined && cfg.checkAddr === undefined) return version;
  return 0;
}

/** The local addresses checks leave from: the server's `source`, else the backend's; empty without either. */
export function checkSourceAddresses(server: ServerModel, backend: ProxyConfig): readonly string[] {
  return (server.source ?? backend.source)?.addresses ?? [];
}

/** Where one kind of check connects by default. */
export interface CheckEndpoint {
  host(): string;
  port(): number;
}

/**
 * Builds the {@link ProbeIo} of one check run: every connection goes to the
 * endpoint (or a `tcp-check connect` override), from the source address,
 * with the connect and read deadlines of `timeouts` counted from
 * `startedAt` (performance.now()). `sockets` collects them for closing.
 */
export function probeIo(options: {
  endpoint: CheckEndpoint;
  localAddress: string | undefined;
  timeouts: CheckTimeouts;
  startedAt: number;
  proxyVersion: 0 | 1 | 2;
  serverState: () => string;
  sockets: CheckSocket[];
}): ProbeIo {
  const { endpoint, timeouts, startedAt, sockets } = options;
  return {
    async connect(override: ConnectOverride = {}) {
      const elapsed = performance.now() - startedAt;
      // Without `timeout check`, `inter` bounds the whole check, a second `tcp-check connect` included.
      const connectMs =
        timeouts.readAfterConnectMs === undefined
          ? Math.max(1, Math.min(timeouts.connectMs, timeouts.overallMs - elapsed))
          : timeouts.connectMs;
      const socket = await CheckSocket.open({
        host: override.addr ?? endpoint.host(),
        port: override.port ?? endpoint.port(),
        localAddress: options.localAddress,
        connectTimeoutMs: connectMs,
      });
      sockets.push(socket);
      const now = performance.now();
      socket.setReadTimeout(
        timeouts.readAfterConnectMs ?? Math.max(1, timeouts.overallMs - (now - startedAt)),
      );
      const version = override.sendProxy ? options.proxyVersion || 1 : options.proxyVersion;
      if (version !== 0) socket.write(checkProxyHeader(version));
      return socket;
    },
    serverState: options.serverState,
  };
}
