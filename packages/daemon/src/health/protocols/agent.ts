import type { AgentStatus } from '../../model/index.js';
import { ReadFailure } from '../check-socket.js';
import type { ProbeIo, Verdict } from '../check-types.js';

/** What an agent asked for. A word it did not send leaves that part of the server alone. */
export interface AgentReply {
  /** `up`, or `down`/`fail`/`stopped`: the operational state the agent reports. */
  state: 'up' | 'down' | 'fail' | 'stopped' | undefined;
  /** Text after `#` on a down/fail/stopped reply. */
  stateText: string | undefined;
  /** `ready`, `drain` or `maint`: the administrative state. */
  admin: 'ready' | 'drain' | 'maint' | undefined;
  /** `N%`: weight relative to the configured one. */
  weightPercent: number | undefined;
  /** `maxconn:N` (parsed; lbd does not change limits at run time). */
  maxconn: number | undefined;
  /** Words lbd did not understand. */
  unknown: string[];
  /** The reply line as received, trimmed. */
  text: string;
}

/** The longest agent reply lbd reads. */
const MAX_REPLY_BYTES = 1024;

/**
 * Parses an agent reply: words separated by spaces, tabs or commas, in any
 * order and case. A word starting with `#` starts the description of a
 * down/fail/stopped reply (`stopped #maintenance window`); `down#text`, with
 * no separator, is one unknown word, as in HAProxy.
 */
export function parseAgentReply(raw: string): AgentReply {
  const text = raw.trim();
  const reply: AgentReply = {
    state: undefined,
    stateText: undefined,
    admin: undefined,
    weightPercent: undefined,
    maxconn: undefined,
    unknown: [],
    text,
  };
  const hashWord = /(^|[\s,])#/.exec(text);
  const hash = hashWord === null ? -1 : hashWord.index + hashWord[1]!.length;
  const words = (hash >= 0 ? text.slice(0, hash) : text).split(/[\s,]+/).filter((w) => w !== '');
  for (const original of words) {
    const word = original.toLowerCase();
    const percent = /^(\d+)%$/.exec(word);
    const maxconn = /^maxconn:(\d+)$/.exec(word);
    if (percent) reply.weightPercent = Number(percent[1]);
    else if (maxconn) reply.maxconn = Number(maxconn[1]);
    else if (word === 'up' || word === 'down' || word === 'fail' || word === 'stopped') reply.state = word;
    else if (word === 'ready' || word === 'drain' || word === 'maint') reply.admin = word;
    else reply.unknown.push(original);
  }
  if (hash >= 0 && reply.state !== undefined && reply.state !== 'up') {
    reply.stateText = text.slice(hash + 1).trim();
  }
  return reply;
}

/** An agent check's verdict (for `agent_status`) and what the agent asked for, if it answered. */
export interface AgentOutcome {
  verdict: Omit<Verdict, 'status'> & { status: AgentStatus };
  reply: AgentReply | undefined;
}

/**
 * Asks the agent: connect, send `agent-send` if any, read one line (or
 * until the agent closes). The agent's own failures (refused, timeout,
 * empty reply) are reported but change nothing: connectivity is the job
 * of the regular check.
 */
export async function runAgentCheck(io: ProbeIo, send: string | undefined): Promise<AgentOutcome> {
  const socket = await io.connect();
  if (send !== undefined && send !== '') socket.write(send);
  let raw: string;
  try {
    raw = await socket.read((buf, ended) => {
      const nl = buf.indexOf(0x0a);
      if (nl >= 0) return { value: buf.toString('latin1', 0, nl), used: nl + 1 };
      if (ended || buf.length >= MAX_REPLY_BYTES)
        return { value: buf.toString('latin1', 0, MAX_REPLY_BYTES), used: buf.length };
      return undefined;
    });
  } catch (err) {
    // A reply cut by the deadline still says what the agent meant.
    if (!(err instanceof ReadFailure) || socket.pending.length === 0) throw err;
    raw = socket.pending.toString('latin1', 0, MAX_REPLY_BYTES);
  }
  const reply = parseAgentReply(raw);
  if (reply.text === '') return { verdict: { status: 'L7RSP', text: 'empty agent reply' }, reply: undefined };
  return { verdict: agentVerdict(reply), reply };
}

/**
 * `agent_status` and `last_agt` for a reply, worded as HAProxy 2.6 shows
 * them: `via agent : up`, `via agent : stopped (maintenance window)`,
 * `agent reports an error : WORD` for a word it does not know (the words it
 * knows still apply), and nothing for a reply without a state word.
 */
export function agentVerdict(reply: AgentReply): AgentOutcome['verdict'] {
  if (reply.state === 'up') return { status: 'L7OK', text: 'via agent : up' };
  if (reply.state !== undefined) {
    const why = reply.stateText ? ` (${reply.stateText})` : '';
    return { status: 'L7STS', text: `via agent : ${reply.state}${why}` };
  }
  if (reply.unknown.length > 0)
    return { status: 'CHECKED', text: `agent reports an error : ${reply.unknown[0]}` };
  return { status: 'CHECKED', text: '' };
}
