/**
 * How lbctl reaches a daemon and names its servers; shared by the scripting
 * verbs (`cli/`) and the dashboard (`top/`).
 */
export type { ClientTarget } from '@lbctl/protocol';
export { DEFAULT_CONNECT_TIMEOUT_MS, type OpenClientOptions, openClient } from './open-client.js';
export {
  globToRegExp,
  isGlob,
  resolveServers,
  type ServerLike,
  type ServerName,
} from './resolve-servers.js';
export { DEFAULT_SOCKET, describeTarget, resolveTargets, type TargetOptions } from './targets.js';
