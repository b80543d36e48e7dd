/**
 * Health checking (control plane): active checks of every type HAProxy's
 * TCP mode has, lbd's replica-aware MySQL check, agent checks, passive
 * health from live traffic, and the event stream of transitions.
 */
export { ConnectFailure, ReadFailure } from './check-socket.js';
export type { CheckResult, CheckSpec, MysqlReplicaSpec, Verdict } from './check-types.js';
export { HealthChecker, type HealthCheckerOptions } from './checker.js';
export { DEFAULT_EVENT_CAPACITY, type HealthEvent, type HealthEventSource, HealthEvents } from './events.js';
export { parseAgentReply } from './protocols/agent.js';
export { Secret } from './secret.js';
export { type CheckSpecResult, healthCheckErrors, parseCheckSpec } from './spec/check-spec.js';
