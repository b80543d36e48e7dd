/**
 * A load generator that runs as a child process of a test (started by
 * `load.ts` with an IPC channel), so that thousands of client sockets do not
 * compete with the test's own event loop. Node runs it directly (type
 * stripping): no relative imports but type-only ones. Two roles:
 *
 * - `short`: new connections at a fixed rate; each sends a random payload,
 *   half-closes, must get the payload back byte for byte and then the
 *   peer's FIN. Every failure is counted by its error code.
 * - `streams`: long-lived connections that each stream random data at a
 *   bounded rate and check the echo byte for byte as it arrives; on
 *   `finish` they stop writing, wait for the last echoed byte, half-close
 *   and expect a clean end.
 *
 * Every loop is bounded: the child stops by itself after `maxDurationMs`,
 * each connection has a deadline, and the child exits when the test process
 * goes away (the IPC channel closes).
 */
import { randomBytes, randomInt } from 'node:crypto';
import { connect, type Socket } from 'node:net';
import type {
  FromLoadChild,
  LoadOptions,
  ShortLoadOptions,
  ShortReport,
  StreamLoadOptions,
  StreamResult,
  StreamsReport,
  ToLoadChild,
} from './load-types.js';

const PROGRESS_MS = 200;

function send(message: FromLoadChild): Promise<void> {
  return new Promise((resolve) => {
    if (process.send === undefined || !process.connected) resolve();
    else process.send(message, undefined, {}, () => resolve());
  });
}

function errorCode(err: unknown): string {
  const e = err as NodeJS.ErrnoException;
  return e.code ?? e.message ?? String(err);
}

/** The `short` role: see the file comment. Resolves with the final report. */
function runShort(
  o: ShortLoadOptions,
  stopped: Promise<void>,
): { report(): ShortReport; done: Promise<ShortReport> } {
  let attempts = 0;
  let ok = 0;
  let inFlight = 0;
  let throttled = 0;
  let maxMs = 0;
  let overOneSecond = 0;
  const errors: Record<string, number> = {};
  const started = performance.now();
  let ended: number | undefined;
  let stoppedStarting: number | undefined;
  let stopping = false;
  let stoppedByDeadline = false;
  let idle: (() => void) | undefined;

  const report = (): ShortReport => ({
    attempts,
    ok,
    failed: attempts - ok - inFlight,
    errors: { ...errors },
    inFlight,
    throttled,
    startingMs: Math.round((stoppedStarting ?? performance.now()) - started),
    elapsedMs: Math.round((ended ?? performance.now()) - started),
    maxMs: Math.round(maxMs),
    overOneSecond,
    stoppedByDeadline,
  });

  const one = (): void => {
    attempts++;
    inFlight++;
    const t0 = performance.now();
    const payload = randomBytes(randomInt(1, o.maxPayloadBytes + 1));
    const chunks: Buffer[] = [];
    let received = 0;
    let gotFin = false;
    let failure: string | undefined;
    const socket = connect({ host: o.host, port: o.port, allowHalfOpen: true });
    const timer = setTimeout(() => {
      failure ??= 'TIMEOUT';
      socket.destroy();
    }, o.timeoutMs);
    socket.once('connect', () => socket.end(payload));
    socket.on('data', (d: Buffer) => {
      chunks.push(d);
      received += d.length;
      if (received > payload.length) {
        failure ??= 'MISMATCH';
        socket.destroy();
      }
    });
    socket.once('end', () => {
      gotFin = true;
    });
    socket.on('error', (err) => {
      failure ??= errorCode(err);
    });
    socket.once('close', () => {
      clearTimeout(timer);
      inFlight--;
      if (failure === undefined && !gotFin) failure = 'NO_FIN';
      if (failure === undefined && !Buffer.concat(chunks, received).equals(payload)) failure = 'MISMATCH';
      if (failure === undefined) {
        ok++;
        const ms = performance.now() - t0;
        maxMs = Math.max(maxMs, ms);
        if (ms > 1000) overOneSecond++;
      } else {
        errors[failure] = (errors[failure] ?? 0) + 1;
      }
      if (stopping && inFlight === 0) idle?.();
    });
  };

  // Credit accrues with time; a stalled event loop may earn at most 100 ms
  // of it, so a stall is not followed by a burst far above the rate.
  let credit = 0;
  let last = performance.now();
  const tick = setInterval(() => {
    const now = performance.now();
    credit += (Math.min(now - last, 100) * o.ratePerSec) / 1000;
    last = now;
    while (credit >= 1) {
      credit -= 1;
      if (inFlight >= o.maxInFlight) throttled++;
      else one();
    }
  }, 5);
  let stop!: () => void;
  const deadline = setTimeout(() => {
    stoppedByDeadline = true;
    stop();
  }, o.maxDurationMs);
  const done = new Promise<ShortReport>((resolve) => {
    stop = () => {
      if (stopping) return;
      stopping = true;
      stoppedStarting = performance.now();
      clearInterval(tick);
      clearTimeout(deadline);
      const finish = () => {
        ended = performance.now();
        resolve(report());
      };
      if (inFlight === 0) finish();
      else idle = finish;
    };
  });
  void stopped.then(() => stop());
  return { report, done };
}

class Stream {
  sent = 0;
  echoed = 0;
  mark = 0;
  maxStallMs = 0;
  error: string | undefined;
  finished = false;
  credit = 0;
  /** Sent, not yet echoed: [buffer, offset of the next expected byte]. */
  readonly pending: Buffer[] = [];
  pendingOffset = 0;
  waitingSince: number | undefined;
  gotFin = false;
  closed = false;
  localPort = 0;
  onSettled: (() => void) | undefined;

  readonly socket: Socket;

  constructor(socket: Socket) {
    this.socket = socket;
  }

  fail(code: string): void {
    this.error ??= code;
    this.socket.destroy();
  }

  write(chunk: Buffer): void {
    if (this.sent === this.echoed) this.waitingSince = performance.now();
    this.pending.push(chunk);
    this.sent += chunk.length;
    this.socket.write(chunk);
  }

  /** Checks echoed bytes against what was sent, in order. */
  onData(d: Buffer): void {
    let at = 0;
    while (at < d.length) {
      const head = this.pending[0];
      if (head === undefined) {
        this.fail(`EXTRA_BYTES at ${this.echoed}`);
        return;
      }
      const n = Math.min(head.length - this.pendingOffset, d.length - at);
      if (!d.subarray(at, at + n).equals(head.subarray(this.pendingOffset, this.pendingOffset + n))) {
        this.fail(`MISMATCH near byte ${this.echoed}`);
        return;
      }
      at += n;
      this.echoed += n;
      this.pendingOffset += n;
      if (this.pendingOffset === head.length) {
        this.pending.shift();
        this.pendingOffset = 0;
      }
    }
    const now = performance.now();
    if (this.waitingSince !== undefined) this.maxStallMs = Math.max(this.maxStallMs, now - this.waitingSince);
    this.waitingSince = this.sent === this.echoed ? undefined : now;
    this.settle();
  }

  /** After `finish`: half-close once everything is echoed; settled when closed. */
  settle(): void {
    if (this.finished && this.sent === this.echoed && !this.socket.writableEnded) this.socket.end();
    if (this.closed) this.onSettled?.();
  }

  result(): StreamResult {
    const intact =
      this.error === undefined && this.finished && this.gotFin && this.closed && this.sent === this.echoed;
    return {
      localPort: this.localPort,
      sent: this.sent,
      echoed: this.echoed,
      echoedSinceMark: this.echoed - this.mark,
      maxStallMs: Math.round(this.maxStallMs),
      intact,
      ...(this.error === undefined ? {} : { error: this.error }),
    };
  }
}

function openStream(o: StreamLoadOptions): Promise<Stream> {
  return new Promise((resolve) => {
    const socket = connect({ host: o.host, port: o.port, allowHalfOpen: true });
    const stream = new Stream(socket);
    const timer = setTimeout(() => stream.fail('CONNECT_TIMEOUT'), o.connectTimeoutMs);
    socket.once('connect', () => {
      clearTimeout(timer);
      stream.localPort = socket.localPort ?? 0;
      resolve(stream);
    });
    socket.on('data', (d: Buffer) => stream.onData(d));
    socket.once('end', () => {
      stream.gotFin = true;
      if (!stream.finished) stream.fail('EARLY_FIN');
    });
    socket.on('error', (err) => {
      stream.error ??= errorCode(err);
    });
    socket.once('close', () => {
      clearTimeout(timer);
      stream.closed = true;
      if (!stream.finished) stream.error ??= 'CLOSED_EARLY';
      stream.settle();
      resolve(stream);
    });
  });
}

/** The `streams` role: see the file comment. */
async function runStreams(
  o: StreamLoadOptions,
  marked: () => Promise<void>,
  stopped: Promise<void>,
): Promise<{ report(): StreamsReport; done: Promise<StreamsReport> }> {
  // One random pool; chunks are views at random offsets, so streams differ.
  const pool = randomBytes(1 << 20);
  const streams = await Promise.all(Array.from({ length: o.count }, () => openStream(o)));
  let stoppedByDeadline = false;
  const report = (): StreamsReport => ({ streams: streams.map((s) => s.result()), stoppedByDeadline });
  let last = performance.now();
  const tick = setInterval(() => {
    const now = performance.now();
    const earned = (Math.min(now - last, 100) * o.bytesPerSec) / 1000;
    last = now;
    for (const s of streams) {
      if (s.closed || s.finished) continue;
      s.credit = Math.min(s.credit + earned, o.chunkBytes * 4);
      while (s.credit >= o.chunkBytes && s.sent - s.echoed < o.maxUnackedBytes) {
        s.credit -= o.chunkBytes;
        const at = randomInt(0, pool.length - o.chunkBytes);
        s.write(pool.subarray(at, at + o.chunkBytes));
      }
    }
  }, 20);
  void marked().then(() => {
    for (const s of streams) s.mark = s.echoed;
  });
  let finish!: () => void;
  const deadline = setTimeout(() => {
    stoppedByDeadline = true;
    finish();
  }, o.maxDurationMs);
  const done = new Promise<StreamsReport>((resolve) => {
    let finishing = false;
    finish = () => {
      if (finishing) return;
      finishing = true;
      clearInterval(tick);
      clearTimeout(deadline);
      const giveUp = setTimeout(() => {
        for (const s of streams) if (!s.closed) s.fail('FINISH_TIMEOUT');
      }, o.finishTimeoutMs);
      let open = streams.length;
      const settled = () => {
        if (--open === 0) {
          clearTimeout(giveUp);
          resolve(report());
        }
      };
      for (const s of streams) {
        s.finished = true;
        let once = false;
        s.onSettled = () => {
          if (once) return;
          once = true;
          settled();
        };
        s.settle();
      }
    };
  });
  void stopped.then(() => finish());
  return { report, done };
}

async function main(): Promise<void> {
  let stopRequested!: () => void;
  const stopped = new Promise<void>((resolve) => {
    stopRequested = resolve;
  });
  let markRequested!: () => void;
  const markPromise = new Promise<void>((resolve) => {
    markRequested = resolve;
  });
  const options = await new Promise<LoadOptions>((resolve) => {
    process.on('message', (message) => {
      const m = message as ToLoadChild;
      if (m.type === 'start') resolve(m.options);
      else if (m.type === 'mark') markRequested();
      else if (m.type === 'stop') stopRequested();
    });
  });
  // The test process is gone: nobody will read a report.
  process.once('disconnect', () => process.exit(1));
  if (options.role === 'short') {
    const run = runShort(options, stopped);
    await send({ type: 'started' });
    const progress = setInterval(() => void send({ type: 'progress', short: run.report() }), PROGRESS_MS);
    const short = await run.done;
    clearInterval(progress);
    await send({ type: 'done', short });
  } else {
    const run = await runStreams(options, () => markPromise, stopped);
    await send({ type: 'started' });
    const progress = setInterval(() => void send({ type: 'progress', streams: run.report() }), PROGRESS_MS);
    const streams = await run.done;
    clearInterval(progress);
    await send({ type: 'done', streams });
  }
  process.exit(0);
}

main().catch(async (err: unknown) => {
  await send({ type: 'fatal', message: err instanceof Error ? (err.stack ?? err.message) : String(err) });
  process.exit(2);
});
