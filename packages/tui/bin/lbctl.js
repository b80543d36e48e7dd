#!/usr/bin/env node
// lbctl's entry: the one place that touches the process (argv, streams,
// signals, exit). Everything else is the program in ../dist.
import { openClient, runCli, sendRawCommand } from '../dist/index.js';

const deps = {
  stdout: process.stdout,
  stderr: process.stderr,
  env: process.env,
  now: Date.now,
  connect: openClient,
  sendRaw: sendRawCommand,
  // While a wait or stream listens, Ctrl-C ends it cleanly (exit 130); at
  // any other moment Node's default SIGINT handling applies.
  onInterrupt(handler) {
    process.once('SIGINT', handler);
    return () => process.off('SIGINT', handler);
  },
};

// A reader that went away (`lbctl events --json | head -1`) is the normal end
// of a stream, not a crash.
process.stdout.on('error', (err) => {
  if (err.code === 'EPIPE') process.exit(0);
  throw err;
});

const code = await runCli(process.argv.slice(2), deps);
// Exit once stdout has taken everything written (a pipe may be slower than us).
process.stdout.write('', () => process.exit(code));
