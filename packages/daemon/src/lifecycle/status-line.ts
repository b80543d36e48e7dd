import type { RuntimeModel } from '../model/index.js';
import type { DataPlane } from '../proxy/index.js';

/**
 * The one-line summary lbd shows in `systemctl status` (sd_notify STATUS=):
 * what an operator checks first, whether traffic flows and to how many servers.
 */
export function statusLine(model: RuntimeModel, dataPlane: DataPlane): string {
  let servers = 0;
  let up = 0;
  for (const backend of model.backends.values()) {
    for (const server of backend.servers) {
      servers++;
      if (server.acceptsNewConnections) up++;
    }
  }
  const frontends = dataPlane.listeners.length;
  return `${dataPlane.admission.active} active sessions; ${frontends} frontends; ${up}/${servers} servers taking traffic`;
}
