/** Renders the summary rows as one Markdown table (the same text goes to the terminal). */
import type { PathName } from './options.ts';
import type { Cell, Row } from './stats.ts';

const PATH_TITLES: Record<PathName, string> = { lbd: 'lbd', haproxy: 'HAProxy', direct: 'direct' };
const MAX_REASON = 90;

/** Markdown table cells: no pipes, no newlines. */
function escapeCell(text: string): string {
  return text.replace(/\s+/g, ' ').replace(/\|/g, '\\|');
}

function shorten(text: string): string {
  return text.length > MAX_REASON ? `${text.slice(0, MAX_REASON - 1)}…` : text;
}

function formatNumber(value: number, digits: number): string {
  return value.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
}

function formatCell(cell: Cell | undefined, digits: number): string {
  if (!cell) return '';
  switch (cell.kind) {
    case 'na':
      return cell.reason;
    case 'error':
      return `error: ${shorten(cell.failures[0] ?? 'unknown')}`;
    case 'value': {
      const spread =
        cell.n === 1 ? ' (1 run)' : ` (${formatNumber(cell.min, digits)}–${formatNumber(cell.max, digits)})`;
      const failed = cell.failures.length
        ? `; ${cell.failures.length} of ${cell.n + cell.failures.length} failed: ${shorten(cell.failures[0] ?? '')}`
        : '';
      return `${formatNumber(cell.median, digits)}${spread}${failed}`;
    }
  }
}

function formatRatio(value: number | undefined): string {
  return value === undefined ? '—' : `${value.toFixed(2)}×`;
}

export function renderTable(rows: Row[], paths: PathName[]): string {
  const showLbdRatios = paths.includes('lbd');
  const header = ['Workload', 'Metric', ...paths.map((path) => `${PATH_TITLES[path]} median (min–max)`)];
  if (showLbdRatios && paths.includes('haproxy')) header.push('lbd/HAProxy');
  if (showLbdRatios && paths.includes('direct')) header.push('lbd/direct');

  const lines = [`| ${header.join(' | ')} |`, `|${header.map(() => ' --- ').join('|')}|`];
  for (const row of rows) {
    const metric = `${row.metric.label}${row.metric.better === 'lower' ? ', lower is better' : ', higher is better'}`;
    const cells = [
      row.workloadTitle,
      metric,
      ...paths.map((path) => formatCell(row.cells[path], row.metric.digits)),
    ];
    if (showLbdRatios && paths.includes('haproxy')) cells.push(formatRatio(row.lbdVsHaproxy));
    if (showLbdRatios && paths.includes('direct')) cells.push(formatRatio(row.lbdVsDirect));
    lines.push(`| ${cells.map(escapeCell).join(' | ')} |`);
  }
  return lines.join('\n');
}

/** Every distinct failure in full, since table cells are cut short. */
export function renderFailures(failures: { where: string; message: string }[]): string {
  const grouped = new Map<string, string[]>();
  for (const { where, message } of failures) grouped.set(message, [...(grouped.get(message) ?? []), where]);
  return [...grouped]
    .map(
      ([message, wheres]) =>
        `- ${wheres.length > 3 ? `${wheres.slice(0, 3).join(', ')} and ${wheres.length - 3} more` : wheres.join(', ')}: ${message}`,
    )
    .join('\n');
}
