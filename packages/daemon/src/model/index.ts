export {
  type AgentStatus,
  CHECK_STATUS_DESCRIPTIONS,
  type CheckOutcome,
  CheckState,
  type CheckStatus,
  outcomeOf,
} from './check-state.js';
export { type BackendModel, type FrontendModel, RuntimeModel } from './runtime-model.js';
export { type AdminState, type HealthState, type ServerChange, ServerModel } from './server-model.js';
