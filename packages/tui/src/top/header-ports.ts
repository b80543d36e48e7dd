import type { Segment } from './columns.js';
import { formatPercent, formatQuantity, type Glyphs } from './format.js';
import type { NodeModel } from './model.js';
import { headroomShare, tightestPair } from './ports-model.js';

const SEP: Segment = { text: '  ' };

/** Cells a run of segments takes (every glyph the dashboard draws is one cell). */
function cells(segments: readonly Segment[]): number {
  return segments.reduce((n, s) => n + [...s.text].length, 0);
}

function sumTimeWait(node: NodeModel): number | undefined {
  const pairs = node.ports?.pairs ?? [];
  if (pairs.every((p) => p.timeWait === undefined)) return undefined;
  return pairs.reduce((n, p) => n + (p.timeWait ?? 0), 0);
}

/**
 * The header's port figures, TIME_WAIT and the tightest pair's headroom, in
 * the most detail that fits `room` cells: with the pair's name, then
 * without it, then with short labels, then the headroom alone. A figure is
 * never cut (`headroom 100%` cut to `headroom 10` would read as 10 %).
 */
export function portFigures(node: NodeModel, glyphs: Glyphs, room: number): Segment[] {
  const ports = node.ports;
  if (ports === undefined) return [{ text: 'no port data yet', dim: true }];
  const tw = ports.timeWaitTotal ?? sumTimeWait(node);
  const timeWait = (label: string): Segment[] =>
    tw === undefined ? [] : [{ text: `${label} `, dim: true }, { text: formatQuantity(tw) }, SEP];
  const tight = tightestPair(ports.pairs);
  const headroom: Segment[] =
    tight === undefined
      ? [{ text: 'headroom -', dim: true }]
      : [
          { text: 'headroom ', dim: true },
          {
            text: formatPercent(headroomShare(tight)),
            color: tight.level === 'critical' ? 'red' : tight.level === 'warning' ? 'yellow' : 'green',
            bold: tight.level !== 'ok',
          },
        ];
  const pair: Segment[] =
    tight === undefined
      ? []
      : [{ text: ` ${tight.source}${glyphs.arrow}${tight.server ?? tight.destination}`, dim: true }];
  const choices = [
    [...timeWait('TIME_WAIT'), ...headroom, ...pair],
    [...timeWait('TIME_WAIT'), ...headroom],
    [...timeWait('TW'), ...headroom],
    headroom,
  ];
  // The first choice may still run past the edge: the pair's name is the one part that may be cut.
  const [withPair, ...rest] = choices;
  if (cells(withPair!) - cells(pair) + Math.min(cells(pair), 12) <= room) return withPair!;
  return rest.find((c) => cells(c) <= room) ?? [];
}
