import type { SourceLocation } from '../config/types.js';
import type { CheckStatus } from '../model/index.js';
import type { CheckSocket } from './check-socket.js';
import type { Secret } from './secret.js';

/** What one check concluded: a HAProxy status, the text for `last_chk`, and a code when the server gave one. */
export interface Verdict {
  status: CheckStatus;
  text: string;
  code?: number | undefined;
}

/** A finished check: its verdict and how long it took (`check_duration`). */
export interface CheckResult extends Verdict {
  durationMs: number;
}

/** Where a `tcp-check connect` step goes instead of the server's check address. */
export interface ConnectOverride {
  port?: number | undefined;
  addr?: string | undefined;
  sendProxy?: boolean | undefined;
}

/** What a check exchange may use: connections to the server, and the server's state for `send-state`. */
export interface ProbeIo {
  /** Opens a connection (the read deadline already armed); a failure rejects with a ConnectFailure. */
  connect(override?: ConnectOverride): Promise<CheckSocket>;
  /** `X-Haproxy-Server-State`-style summary of the server, for `http-check send-state`. */
  serverState(): string;
}

/** The request an HTTP check sends (`option httpchk`, `http-check send`). */
export interface HttpRequestSpec {
  method: string;
  uri: string;
  version: string;
  headers: [string, string][];
  body: string;
}

/** `http-check expect [!] status|rstatus|string|rstring PATTERN`. */
export type HttpExpect =
  | { negate: boolean; kind: 'status'; ranges: [number, number][]; pattern: string }
  | { negate: boolean; kind: 'rstatus'; regex: RegExp; pattern: string }
  | { negate: boolean; kind: 'string'; text: string; pattern: string }
  | { negate: boolean; kind: 'rstring'; regex: RegExp; pattern: string };

/** One `tcp-check` rule, typed. */
export type TcpCheckStep =
  | { op: 'connect'; port?: number; addr?: string; sendProxy: boolean; where: SourceLocation }
  | { op: 'send'; data: Buffer; where: SourceLocation }
  | {
      op: 'expect';
      negate: boolean;
      match: 'string' | 'rstring' | 'binary' | 'rbinary';
      pattern: string;
      bytes?: Buffer;
      regex?: RegExp;
      minRecv: number;
      where: SourceLocation;
    };

/** The replica-aware MySQL check (lbd's `option mysql-replica-check`). */
export interface MysqlReplicaSpec {
  kind: 'mysql-replica';
  user: string;
  password: Secret;
  /** Seconds of replication lag above which the replica is soft-down (NOLB); undefined: lag is not checked. */
  maxLagSeconds: number | undefined;
  /** A server that is not a replica fails the check instead of passing. */
  requireReplica: boolean;
}

/** A backend's health check, typed from its `option ...` line and rules. */
export type CheckSpec =
  | { kind: 'connect' }
  | { kind: 'mysql'; user: string | undefined; post41: boolean }
  | MysqlReplicaSpec
  | { kind: 'pgsql'; user: string }
  | { kind: 'redis' }
  | { kind: 'smtp'; hello: 'HELO' | 'EHLO'; domain: string }
  | { kind: 'ldap' }
  | { kind: 'ssl-hello' }
  | {
      kind: 'http';
      request: HttpRequestSpec;
      expect: HttpExpect | undefined;
      disableOn404: boolean;
      sendState: boolean;
    }
  | { kind: 'tcp-check'; steps: TcpCheckStep[] };
