import { ApiError } from '@lbctl/protocol';
import type { CheckStatus, ServerModel } from '../../model/index.js';
import type { ApiContext } from '../context.js';

/** The format version HAProxy 2.6 prints on the first line. */
const FORMAT_VERSION = 1;

const COLUMNS = [
  'be_id',
  'be_name',
  'srv_id',
  'srv_name',
  'srv_addr',
  'srv_op_state',
  'srv_admin_state',
  'srv_uweight',
  'srv_iweight',
  'srv_time_since_last_change',
  'srv_check_status',
  'srv_check_result',
  'srv_check_health',
  'srv_check_state',
  'srv_agent_state',
  'bk_f_forced_id',
  'srv_f_forced_id',
  'srv_fqdn',
  'srv_port',
  'srvrecord',
  'srv_use_ssl',
  'srv_check_port',
  'srv_check_addr',
  'srv_agent_addr',
  'srv_agent_port',
] as const;

/** HAProxy's numeric check status codes (`srv_check_status`). */
const STATUS_CODES: Readonly<Record<CheckStatus, number>> = {
  UNK: 0,
  INI: 1,
  HANA: 4,
  SOCKERR: 5,
  L4OK: 6,
  L4TOUT: 7,
  L4CON: 8,
  L6OK: 9,
  L6TOUT: 10,
  L6RSP: 11,
  L7TOUT: 12,
  L7RSP: 13,
  L7OK: 15,
  L7OKC: 16,
  L7STS: 17,
};

/** `srv_check_result`: 0 unknown, 2 failed, 3 passed, 4 conditionally passed. */
function checkResult(status: CheckStatus): number {
  if (status === 'UNK' || status === 'INI') return 0;
  if (status === 'L4OK' || status === 'L6OK' || status === 'L7OK') return 3;
  if (status === 'L7OKC') return 4;
  return 2;
}

/** `srv_op_state`: 0 stopped, 2 running, 3 stopping (soft-down). Maintenance counts as stopped. */
function opState(m: ServerModel): number {
  if (m.admin === 'maint' || m.health === 'down') return 0;
  return m.softDown ? 3 : 2;
}

/** `srv_admin_state` bits: 0x01 forced maint, 0x04 maint from the configuration, 0x08 forced drain. */
function adminState(m: ServerModel): number {
  if (m.admin === 'maint') return m.config.disabled ? 0x05 : 0x01;
  return m.admin === 'drain' ? 0x08 : 0;
}

/** Check state bits: 0x02 configured, 0x04 enabled; 0x10 marks the agent. */
function checkState(configured: boolean, enabled: boolean, agent: boolean): number {
  if (!configured) return 0;
  return 0x02 | (enabled ? 0x04 : 0) | (agent ? 0x10 : 0);
}

function row(backendId: number, m: ServerModel, now: number): string {
  const c = m.check;
  const values: (string | number)[] = [
    backendId,
    m.backendName,
    m.id,
    m.name,
    m.host,
    opState(m),
    adminState(m),
    m.weight,
    m.initialWeight,
    Math.max(0, Math.floor((now - m.lastChange) / 1000)),
    STATUS_CODES[c.status],
    checkResult(c.status),
    c.health,
    checkState(m.config.check, c.enabled, false),
    checkState(m.config.agent !== undefined, c.agentEnabled, true),
    0,
    0,
    '-',
    m.port,
    '-',
    0,
    m.config.checkPort ?? 0,
    m.config.checkAddr ?? '-',
    m.config.agent?.addr ?? '-',
    m.config.agent?.port ?? 0,
  ];
  return values.map((v) => (v === '' ? '-' : String(v))).join(' ');
}

/** `show servers state [backend]`: version line, `# ` header, one line per server. */
export function renderServersState(ctx: ApiContext, backend: string | undefined): string {
  if (backend !== undefined && !ctx.model.backends.has(backend)) {
    throw new ApiError('LB_ERR_NO_SUCH_BACKEND', "Can't find backend.");
  }
  const now = Date.now();
  let out = `${FORMAT_VERSION}\n# ${COLUMNS.join(' ')}\n`;
  for (const b of ctx.model.backends.values()) {
    if (backend !== undefined && b.name !== backend) continue;
    for (const server of b.servers) out += `${row(b.id, server, now)}\n`;
  }
  return out;
}

/** `show backend`: every proxy with a backend side, in configuration order. */
export function renderShowBackend(ctx: ApiContext): string {
  return `# name\n${[...ctx.model.backends.keys()].map((name) => `${name}\n`).join('')}`;
}
