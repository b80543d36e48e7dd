/**
 * Health-check results as HAProxy reports them (`show stat` check_* columns,
 * `show servers state`). The health checker writes it; the runtime API and
 * the console read it.
 */

/** HAProxy's check status codes (`check_status`). */
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
  | 'L7STS';

export class CheckState {
  /** Checks run for this server (`check` on its line) and are not disabled by an operator. */
  enabled: boolean;
  /**
   * HAProxy's health counter, 0..rise+fall-1: the server is UP from `fall`
   * upward (going down while below rise+fall-1), DOWN below (going up while above 0).
   */
  health: number;
  status: CheckStatus = 'INI';
  /** Numeric detail: HTTP status, MySQL error number... (`check_code`); undefined when none. */
  code: number | undefined;
  /** Duration of the last check in ms (`check_duration`); undefined before any. */
  durationMs: number | undefined;
  /** Text of the last result (`last_chk`), e.g. the server's own error message. */
  lastText = '';
  /** Failed checks (`chkfail`) and UP->DOWN transitions (`chkdown`). */
  failures = 0;
  downTransitions = 0;
  /** Total ms spent DOWN (`downtime`), not counting the current spell. */
  downtimeMs = 0;
  /** Epoch ms when the current DOWN spell began; 0 when UP. */
  downSince = 0;
  /** Agent-check result (`agent_status`, `last_agt`). */
  agentStatus: string | undefined;
  agentText = '';

  constructor(
    enabled: boolean,
    readonly rise: number,
    readonly fall: number,
  ) {
    this.enabled = enabled;
    // HAProxy starts a checked server UP but "going down" until the first checks confirm it.
    this.health = rise + fall - 1;
  }
}
