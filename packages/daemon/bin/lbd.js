#!/usr/bin/env -S node --max-semi-space-size=1
import { main } from '../dist/lifecycle/main.js';

main(process.argv.slice(2)).then(
  (code) => {
    if (code !== undefined) process.exit(code);
  },
  (error) => {
    console.error(`lbd: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  },
);
