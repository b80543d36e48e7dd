import { createHash, timingSafeEqual } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { ApiError } from '@lbctl/protocol';
import type { Logger } from 'pino';
import { type WebSocket, WebSocketServer } from 'ws';
import type { StatsWebSocketConfig } from '../config/types.js';

/** Called for each authenticated WebSocket. */
export type WebSocketHandler = (ws: WebSocket, request: IncomingMessage) => void;

/** A listening `stats websocket`. */
export interface WebSocketListener {
  readonly config: StatsWebSocketConfig;
  /** `host:port` actually bound. */
  readonly address: string;
  close(): Promise<void>;
}

function digest(text: string): Buffer {
  return createHash('sha256').update(text).digest();
}

/**
 * Compares a presented bearer token with the expected one in constant time:
 * both are hashed first, so neither their content nor their length leaks
 * through timing.
 */
export function tokenMatches(authorization: string | undefined, expectedDigest: Buffer): boolean {
  const match = /^Bearer ([^\s]+)\s*$/i.exec(authorization ?? '');
  const presented = digest(match?.[1] ?? '');
  return timingSafeEqual(presented, expectedDigest) && match !== null;
}

function refuse(socket: Duplex, status: number, reason: string, extra = ''): void {
  socket.end(`HTTP/1.1 ${status} ${reason}\r\n${extra}Connection: close\r\nContent-Length: 0\r\n\r\n`);
  socket.destroy();
}

/** Reads the token file; refuses an empty one, warns about one others can read. */
async function readToken(config: StatsWebSocketConfig, log: Logger): Promise<string> {
  let text: string;
  try {
    text = await readFile(config.tokenFile, 'utf8');
  } catch (error) {
    throw new ApiError(
      'LB_ERR_LISTEN',
      `cannot read token-file ${config.tokenFile}: ${(error as Error).message}`,
      {
        cause: error,
      },
    );
  }
  const token = text.trim();
  if (token === '') throw new ApiError('LB_ERR_LISTEN', `token-file ${config.tokenFile} is empty`);
  const { mode } = await stat(config.tokenFile);
  if ((mode & 0o077) !== 0) {
    log.warn(
      { file: config.tokenFile, mode: (mode & 0o777).toString(8) },
      'WebSocket token file is readable by others',
    );
  }
  return token;
}

/**
 * Opens a `stats websocket` listener: an HTTP server that accepts only
 * WebSocket upgrades carrying `Authorization: Bearer TOKEN`, at most
 * `maxClients` at once, messages up to `maxPayload` bytes.
 */
export async function openWebSocketListener(
  config: StatsWebSocketConfig,
  options: { maxClients: number; maxPayload: number; log: Logger },
  onSocket: WebSocketHandler,
): Promise<WebSocketListener> {
  const expected = digest(await readToken(config, options.log));
  const wss = new WebSocketServer({ noServer: true, maxPayload: options.maxPayload, clientTracking: true });
  const http: Server = createServer((_request, response) => {
    response.writeHead(426, { 'content-type': 'text/plain', upgrade: 'websocket', connection: 'close' });
    response.end('lbd runtime API: WebSocket only\n');
  });
  http.on('upgrade', (request: IncomingMessage, socket: Duplex, head: Buffer) => {
    socket.on('error', () => socket.destroy());
    if (!tokenMatches(request.headers.authorization, expected)) {
      options.log.warn(
        { peer: request.socket.remoteAddress, code: 'LB_ERR_UNAUTHORIZED' },
        'WebSocket refused: bad token',
      );
      refuse(socket, 401, 'Unauthorized', 'WWW-Authenticate: Bearer\r\n');
      return;
    }
    if (wss.clients.size >= options.maxClients) {
      refuse(socket, 503, 'Service Unavailable');
      return;
    }
    wss.handleUpgrade(request, socket, head, (ws) => onSocket(ws, request));
  });
  await new Promise<void>((resolve, reject) => {
    http.once('error', (error) =>
      reject(
        new ApiError('LB_ERR_LISTEN', `cannot listen on ${config.host}:${config.port}: ${error.message}`),
      ),
    );
    http.listen({ host: config.host, port: config.port }, () => resolve());
  });
  const bound = http.address();
  const address =
    typeof bound === 'object' && bound !== null ? `${bound.address}:${bound.port}` : String(bound);
  return {
    config,
    address,
    close: async () => {
      for (const client of wss.clients) client.terminate();
      wss.close();
      http.closeAllConnections();
      await new Promise<void>((resolve) => http.close(() => resolve()));
    },
  };
}
