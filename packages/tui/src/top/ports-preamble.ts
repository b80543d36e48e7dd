import type { Segment } from './columns.js';
import { kernelSettings } from './ports-model.js';
import type { TopState } from './state.js';

/**
 * The lines above the ports table: per daemon, the kernel settings that
 * bound source ports, and one line per setting that is the limit now.
 */
export function portsPreamble(state: TopState): Segment[][] {
  const lines: Segment[][] = [];
  const multi = state.nodes.length > 1;
  for (const node of state.nodes) {
    const ports = node.ports;
    if (ports?.kernel === undefined) continue;
    const settings = kernelSettings(
      ports.kernel,
      ports.timeWaitTotal,
      ports.pairs.map((p) => p.destination),
    );
    const prefix: Segment[] = multi ? [{ text: `${node.name}: `, bold: true }] : [];
    lines.push([
      ...prefix,
      { text: 'kernel ', dim: true },
      ...settings.flatMap((s, i): Segment[] => [
        ...(i > 0 ? [{ text: '  ' }] : []),
        { text: `${s.name} `, dim: true },
        {
          text: s.value,
          color: s.warning === undefined ? undefined : 'yellow',
          bold: s.warning !== undefined,
        },
      ]),
      ...(ports.timeWaitTotal === undefined
        ? []
        : [{ text: '  TIME_WAIT ', dim: true }, { text: String(ports.timeWaitTotal) }]),
    ]);
    for (const s of settings) {
      if (s.warning !== undefined)
        lines.push([...prefix, { text: `! ${s.name}: ${s.warning}`, color: 'yellow' }]);
    }
  }
  return lines;
}
