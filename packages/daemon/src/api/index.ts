export { EventBus, type EventListener } from './event-bus.js';
export { type ApiLimits, DEFAULT_API_LIMITS } from './limits.js';
export { RuntimeApi, type RuntimeApiOptions } from './runtime-api.js';
