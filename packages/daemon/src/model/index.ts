export { CheckState, type CheckStatus } from './check-state.js';
export { type BackendModel, type FrontendModel, RuntimeModel } from './runtime-model.js';
export { type AdminState, type HealthState, type ServerChange, ServerModel } from './server-model.js';
