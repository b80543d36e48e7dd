/**
 * V8 flags every process that carries traffic runs with: the `lbd` entry
 * script passes them in its shebang (`#!/usr/bin/env -S node ...`) and the
 * master passes them to the workers it forks. V8 reads them only when the
 * process starts, so they cannot be set from inside.
 *
 * `--max-semi-space-size=1` (MiB): V8 otherwise grows its young generation
 * up to 16 MiB per semi-space under allocation pressure, and a proxy
 * allocates a little per connection all the time. Measured with `pnpm
 * bench` (9,000 idle proxied connections, 2 repetitions): 5.22 -> 3.77 KiB
 * per connection in one process, 6.26 -> 4.05 with two workers, and no loss
 * of throughput (new connections 4,983 -> 5,517/s, bulk and keep-alive
 * within noise or better): the smaller young generation is scavenged more
 * often but each scavenge is cheaper and stays in cache.
 */
export const DATA_PLANE_V8_FLAGS: readonly string[] = ['--max-semi-space-size=1'];
