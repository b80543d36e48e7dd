/**
 * Health-check results as HAProxy reports them (`show stat` check_* and
 * agent_* columns, `show servers state`). The health checker (control plane,
 * `health/`) writes it; the runtime API and the console read it.
 */

/** HAProxy's check status codes (`check_status`, `agent_status`). */
export type CheckStatus =
  | 'UNK'
  | 'INI'
  | 'SOCKERR'
  | 'L4OK'
  | 'L4TOUT'
  | 'L4CON'
  | 'L6OK'
  | 'L6TOUT'
  | 'L6RSP'
  | 'L7OK'
  | 'L7OKC'
  | 'L7TOUT'
  | 'L7RSP'
  | 'L7STS'
  /** Passive health ("health analyze"): errors seen on live traffic failed the server. */
  | 'HANA';

/**
 * An agent check's status: a check status, or `CHECKED` for a reply that
 * changed no operational state (only the weight or the admin state).
 */
export type AgentStatus = CheckStatus | 'CHECKED';

/**
 * The short description HAProxy prints for each status (`check_desc`,
 * `agent_desc`). Clients such as hatop show it verbatim.
 */
export const CHECK_STATUS_DESCRIPTIONS: Readonly<Record<CheckStatus, string>> = {
  UNK: 'Unknown',
  INI: 'Initializing',
  SOCKERR: 'Socket error',
  L4OK: 'Layer4 check passed',
  L4TOUT: 'Layer4 timeout',
  L4CON: 'Layer4 connection problem',
  L6OK: 'Layer6 check passed',
  L6TOUT: 'Layer6 timeout',
  L6RSP: 'Layer6 invalid response',
  L7OK: 'Layer7 check passed',
  L7OKC: 'Layer7 check conditionally passed',
  L7TOUT: 'Layer7 timeout',
  L7RSP: 'Layer7 invalid response',
  L7STS: 'Layer7 wrong status',
  HANA: 'Health analyze',
};

/**
 * What a check result means for the health counter: `pass` and `condpass`
 * (conditionally passed: the server works but asks for no new connections)
 * raise it, `fail` lowers it, `neutral` leaves it.
 */
export type CheckOutcome = 'pass' | 'condpass' | 'fail' | 'neutral';

/** The outcome HAProxy attaches to each status. */
export function outcomeOf(status: CheckStatus): CheckOutcome {
  if (status === 'L4OK' || status === 'L6OK' || status === 'L7OK') return 'pass';
  if (status === 'L7OKC') return 'condpass';
  if (status === 'INI' || status === 'UNK') return 'neutral';
  return 'fail';
}

/**
 * Health-check state of one server. HAProxy's health counter runs from 0 to
 * rise+fall-1: the server is UP while it is at least `rise` (going down,
 * `UP n/fall`, below the top) and DOWN below (going up, `DOWN n/rise`, above
 * 0). A failure below `rise` drops it to 0 and a success reaching `rise`
 * lifts it to the top, so one state change needs `fall` failures or `rise`
 * successes in a row.
 */
export class CheckState {
  /** Checks run for this server (`check` on its line) and are not disabled by an operator (`disable health`). */
  enabled: boolean;
  /** The health counter, 0..rise+fall-1. */
  health: number;
  status: CheckStatus = 'INI';
  /** Numeric detail: HTTP status, MySQL error number... (`check_code`); undefined when none. */
  code: number | undefined;
  /** Duration of the last check in ms (`check_duration`); undefined before any. */
  durationMs: number | undefined;
  /** Text of the last result (`last_chk`), e.g. the server's own error message. */
  lastText = '';
  /** Failed checks while not already DOWN (`chkfail`). */
  failures = 0;
  /** UP -> DOWN transitions, maintenance included, as HAProxy counts them (`chkdown`). */
  downTransitions = 0;
  /** Total ms spent DOWN or in maintenance (`downtime`), not counting the current spell. */
  downtimeMs = 0;
  /** Epoch ms when the current DOWN spell began; 0 when not down. */
  downSince = 0;
  /** A check is running right now (`show stat` prefixes check_status with `* `). */
  inProgress = false;
  /**
   * Checks are paused because the server is in maintenance: HAProxy then
   * leaves the check columns of `show stat` empty (the agent keeps running).
   */
  paused = false;
  /** Times passive health (`observe`) acted on the server (`hanafail`). */
  hanaFailures = 0;
  /** Agent check configured (`agent-check`) and not disabled by an operator (`disable agent`). */
  agentEnabled: boolean;
  /** The agent's own counter, 0..agentRise+agentFall-1; the agent holds the server DOWN at 0. */
  agentHealth: number;
  /** HAProxy's agent rise and fall are always 1. */
  readonly agentRise = 1;
  readonly agentFall = 1;
  /** Agent-check result (`agent_status`, `last_agt`): an {@link AgentStatus}. */
  agentStatus: string | undefined;
  agentText = '';
  /** Numeric code reported with the agent result (`agent_code`); undefined when none. */
  agentCode: number | undefined;
  /** Duration of the last agent check in ms (`agent_duration`). */
  agentDurationMs: number | undefined;

  constructor(
    enabled: boolean,
    readonly rise: number,
    readonly fall: number,
    agentEnabled = false,
  ) {
    this.enabled = enabled;
    // As HAProxy: a checked server starts UP with health at `rise`, so the
    // first failed check already marks it DOWN, and the first success lifts it to the top.
    this.health = rise;
    this.agentEnabled = agentEnabled;
    this.agentHealth = 1;
  }

  /** The top of the health counter: fully UP. */
  get maxHealth(): number {
    return this.rise + this.fall - 1;
  }

  /** HAProxy's description of the last check status (`check_desc`). */
  get description(): string {
    return CHECK_STATUS_DESCRIPTIONS[this.status];
  }

  /** HAProxy's description of the last agent status (`agent_desc`); empty before any agent check. */
  get agentDescription(): string {
    if (this.agentStatus === undefined) return '';
    if (this.agentStatus === 'CHECKED') return 'No status change';
    return CHECK_STATUS_DESCRIPTIONS[this.agentStatus as CheckStatus] ?? '';
  }

  /**
   * `check_status` as `show stat` prints it: `* ` while a check runs. Empty
   * when checks are off or paused (maintenance), as HAProxy leaves it then.
   */
  get displayStatus(): string {
    if (!this.enabled || this.paused) return '';
    return `${this.inProgress ? '* ' : ''}${this.status}`;
  }
}
