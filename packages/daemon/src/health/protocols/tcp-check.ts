import type { CheckSocket, ReadParser } from '../check-socket.js';
import { ReadFailure } from '../check-socket.js';
import type { CheckSpec, ProbeIo, TcpCheckStep, Verdict } from '../check-types.js';

type Expect = Extract<TcpCheckStep, { op: 'expect' }>;

/** Where the pattern ends in `buf` (to consume up to it), or -1 when absent. */
function matchEnd(step: Expect, buf: Buffer): number {
  switch (step.match) {
    case 'string': {
      const at = buf.indexOf(step.pattern, 0, 'latin1');
      return at < 0 ? -1 : at + Buffer.byteLength(step.pattern, 'latin1');
    }
    case 'binary': {
      const at = buf.indexOf(step.bytes!);
      return at < 0 ? -1 : at + step.bytes!.length;
    }
    case 'rstring':
      return step.regex!.test(buf.toString('latin1')) ? buf.length : -1;
    case 'rbinary':
      return step.regex!.test(buf.toString('hex')) ? buf.length : -1;
  }
}

/**
 * A positive expect waits until the pattern shows up; a negated one decides
 * once `min-recv` bytes (at least one) are in, or the peer has closed.
 */
function expectParser(step: Expect): ReadParser<boolean> {
  return (buf, ended) => {
    const enough = buf.length >= Math.max(1, step.minRecv);
    if (!enough && !ended) return undefined;
    const end = matchEnd(step, buf);
    if (!step.negate)
      return end >= 0 ? { value: true, used: end } : ended ? { value: false, used: 0 } : undefined;
    return { value: end < 0, used: buf.length };
  };
}

function describe(step: Expect): string {
  return `${step.negate ? '! ' : ''}${step.match} '${step.pattern}'`;
}

/**
 * `option tcp-check`: runs the rules in order. Without a leading `connect`
 * rule the check connects first. Only connect and send rules: L4OK; with an
 * expect: L7OK. A mismatch is L7RSP, a wait that runs out L7TOUT.
 */
export async function runTcpCheck(
  spec: Extract<CheckSpec, { kind: 'tcp-check' }>,
  io: ProbeIo,
): Promise<Verdict> {
  let socket: CheckSocket | undefined;
  let expected = false;
  const steps = spec.steps;
  if (steps[0]?.op !== 'connect') socket = await io.connect();
  for (let i = 0; i < steps.length; i++) {
    const step = steps[i]!;
    const n = i + 1;
    if (step.op === 'connect') {
      socket?.close();
      socket = await io.connect({ port: step.port, addr: step.addr, sendProxy: step.sendProxy });
      continue;
    }
    if (socket === undefined) throw new Error('tcp-check: no connection');
    if (step.op === 'send') {
      socket.write(step.data);
      continue;
    }
    expected = true;
    let matched: boolean;
    try {
      matched = await socket.read(expectParser(step));
    } catch (err) {
      if (err instanceof ReadFailure && err.kind === 'timeout') {
        return {
          status: 'L7TOUT',
          text: `tcp-check rule ${n} (line ${step.where.line}): timeout waiting for ${describe(step)}`,
        };
      }
      throw err;
    }
    if (!matched) {
      const got = socket.pending.toString('latin1', 0, 40).replace(/[^\x20-\x7e]/g, '.');
      return {
        status: 'L7RSP',
        text: `tcp-check rule ${n} (line ${step.where.line}): expected ${describe(step)}, got '${got}'`,
      };
    }
  }
  return expected ? { status: 'L7OK', text: '(tcp-check)' } : { status: 'L4OK', text: '' };
}
