export { formatConfigError, loadConfigFiles, parseConfig } from './config/index.js';
export type { Config, ProxyConfig, ServerConfig } from './config/types.js';
export { Daemon } from './lifecycle/daemon.js';
export { createProgram, main } from './lifecycle/main.js';
export { RuntimeModel, ServerModel } from './model/index.js';
export { DataPlane } from './proxy/index.js';
