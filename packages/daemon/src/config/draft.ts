import type { ProxySectionKind } from './keyword-types.js';
import type {
  BalanceAlgorithm,
  BindConfig,
  CheckRule,
  HealthCheckConfig,
  LogTarget,
  OnErrorAction,
  ProxyConfig,
  ProxyMode,
  ProxyOptions,
  SendProxyVersion,
  ServerConfig,
  SourceConfig,
  SourceLocation,
  StatsPageConfig,
  Timeouts,
} from './types.js';

/**
 * Sections under construction. A draft keeps what the final types drop (where
 * a value was set, whether it was set at all), because `defaults`
 * inheritance and validation need it.
 */

/** Server settings given on a `server` or `default-server` line; unset fields fall back to the built-in defaults. */
export interface ServerParams {
  check?: boolean;
  inter?: number;
  fastinter?: number;
  downinter?: number;
  rise?: number;
  fall?: number;
  weight?: number;
  maxconn?: number;
  maxqueue?: number;
  backup?: boolean;
  disabled?: boolean;
  source?: SourceConfig;
  sendProxy?: SendProxyVersion;
  checkSendProxy?: boolean;
  id?: number;
  checkPort?: number;
  checkAddr?: string;
  slowstart?: number;
  onMarkedDown?: 'shutdown-sessions';
  onMarkedUp?: 'shutdown-backup-sessions';
  observe?: 'layer4' | 'layer7';
  errorLimit?: number;
  onError?: OnErrorAction;
  agentCheck?: boolean;
  agentPort?: number;
  agentInter?: number;
  agentSend?: string;
  agentAddr?: string;
}

/** A `server` line: its address and its parameters merged over the `default-server` in force. */
export interface ServerDraft {
  name: string;
  host: string;
  port: number;
  params: ServerParams;
  where: SourceLocation;
}

/** A `defaults`, `frontend`, `backend` or `listen` section being parsed. */
export interface ProxyDraft {
  kind: ProxySectionKind;
  name: string;
  where: SourceLocation;
  mode?: ProxyMode;
  modeWhere?: SourceLocation;
  binds: BindConfig[];
  /** `bind` lines written, valid or not: a failed one was already reported, so "no bind" would repeat it. */
  bindLines: number;
  defaultBackend?: { name: string; where: SourceLocation };
  maxconn?: number;
  balance: BalanceAlgorithm;
  hashType?: string;
  servers: ServerDraft[];
  defaultServer: ServerParams;
  fullconn?: number;
  retries: number;
  source?: SourceConfig;
  options: ProxyOptions;
  timeouts: Timeouts;
  log: boolean;
  logTargets: LogTarget[];
  stats?: StatsPageConfig;
  statsWhere?: SourceLocation;
  disabled: boolean;
  description?: string;
  id?: { value: number; where: SourceLocation };
  healthCheck?: HealthCheckConfig;
  tcpCheckRules: CheckRule[];
  httpCheckRules: CheckRule[];
  /** The check rules came from `defaults`: the section's own first rule replaces them. */
  checkRulesInherited: boolean;
}

/** HAProxy's built-in defaults, as lbd applies them (except the mode: see {@link finalizeProxy}). */
export function builtinDefaults(name: string, where: SourceLocation): ProxyDraft {
  return {
    kind: 'defaults',
    name,
    where,
    binds: [],
    bindLines: 0,
    balance: 'roundrobin',
    servers: [],
    defaultServer: {},
    retries: 3,
    options: {
      redispatch: false,
      tcplog: false,
      dontlognull: false,
      tcpka: false,
      clitcpka: false,
      srvtcpka: false,
      nolinger: false,
    },
    timeouts: {},
    log: false,
    logTargets: [],
    disabled: false,
    tcpCheckRules: [],
    httpCheckRules: [],
    checkRulesInherited: false,
  };
}

/** A new section inheriting from a `defaults` draft; what HAProxy does not inherit starts empty. */
export function inheritDraft(
  defaults: ProxyDraft,
  kind: ProxySectionKind,
  name: string,
  where: SourceLocation,
): ProxyDraft {
  const draft = structuredClone(defaults);
  draft.kind = kind;
  draft.name = name;
  draft.where = where;
  draft.binds = [];
  draft.bindLines = 0;
  draft.servers = [];
  delete draft.description;
  delete draft.id;
  draft.checkRulesInherited = draft.tcpCheckRules.length > 0 || draft.httpCheckRules.length > 0;
  return draft;
}

/** The built-in server settings. */
export const SERVER_DEFAULTS = {
  inter: 2000,
  rise: 2,
  fall: 3,
  weight: 1,
} as const;

/** Turns a server draft into its final form; `agent-check` without a port is reported by the server parser. */
export function finalizeServer(server: ServerDraft, id: number): ServerConfig {
  const p = server.params;
  const inter = p.inter ?? SERVER_DEFAULTS.inter;
  const out: ServerConfig = {
    name: server.name,
    host: server.host,
    port: server.port,
    id,
    check: p.check ?? false,
    inter,
    fastinter: p.fastinter ?? inter,
    downinter: p.downinter ?? inter,
    rise: p.rise ?? SERVER_DEFAULTS.rise,
    fall: p.fall ?? SERVER_DEFAULTS.fall,
    weight: p.weight ?? SERVER_DEFAULTS.weight,
    maxconn: p.maxconn ?? 0,
    maxqueue: p.maxqueue ?? 0,
    backup: p.backup ?? false,
    disabled: p.disabled ?? false,
    sendProxy: p.sendProxy ?? 0,
    slowstart: p.slowstart ?? 0,
    where: server.where,
  };
  if (p.source) out.source = p.source;
  if (p.checkPort !== undefined) out.checkPort = p.checkPort;
  if (p.checkAddr !== undefined) out.checkAddr = p.checkAddr;
  if (p.onMarkedDown) out.onMarkedDown = p.onMarkedDown;
  if (p.onMarkedUp) out.onMarkedUp = p.onMarkedUp;
  if (p.observe) out.observe = p.observe;
  if (p.errorLimit !== undefined) out.errorLimit = p.errorLimit;
  if (p.onError) out.onError = p.onError;
  if (p.checkSendProxy) out.checkSendProxy = true;
  if (p.agentCheck && p.agentPort !== undefined) {
    out.agent = { port: p.agentPort, interMs: p.agentInter ?? inter };
    if (p.agentSend !== undefined) out.agent.send = p.agentSend;
    if (p.agentAddr !== undefined) out.agent.addr = p.agentAddr;
  }
  return out;
}

/**
 * Turns a proxy draft into its final form. A section with no `mode` is TCP:
 * HAProxy's built-in default is HTTP, but lbd only proxies TCP.
 */
export function finalizeProxy(draft: ProxyDraft, id: number, serverIds: number[]): ProxyConfig {
  const out: ProxyConfig = {
    name: draft.name,
    kind: draft.kind === 'defaults' ? 'listen' : draft.kind,
    id,
    mode: draft.mode ?? 'tcp',
    binds: draft.binds,
    balance: draft.balance,
    servers: draft.servers.map((s, i) => finalizeServer(s, serverIds[i]!)),
    retries: draft.retries,
    options: draft.options,
    timeouts: draft.timeouts,
    log: draft.log,
    logTargets: draft.logTargets,
    disabled: draft.disabled,
    tcpCheckRules: draft.tcpCheckRules,
    httpCheckRules: draft.httpCheckRules,
    where: draft.where,
  };
  // A listen section serves its own servers unless told otherwise; a backend has no frontend side.
  const target = draft.defaultBackend?.name ?? (draft.kind === 'listen' ? draft.name : undefined);
  if (target !== undefined && draft.kind !== 'backend') out.defaultBackend = target;
  if (draft.maxconn !== undefined) out.maxconn = draft.maxconn;
  if (draft.fullconn !== undefined) out.fullconn = draft.fullconn;
  if (draft.hashType !== undefined) out.hashType = draft.hashType;
  if (draft.source) out.source = draft.source;
  if (draft.stats) out.stats = draft.stats;
  if (draft.description !== undefined) out.description = draft.description;
  if (draft.healthCheck) out.healthCheck = draft.healthCheck;
  return out;
}
