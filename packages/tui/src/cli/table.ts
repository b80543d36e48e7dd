import { stripAnsi } from './colour.js';

/** One column of a table: data, not code, so every view renders the same way. */
export interface Column<T> {
  header: string;
  align?: 'left' | 'right';
  /** The cell text (may carry colour; widths are measured without it). */
  cell(row: T): string;
}

/**
 * Renders rows as aligned text columns separated by two spaces, header
 * first. Trailing spaces are trimmed so that output diffs cleanly.
 */
export function renderTable<T>(columns: readonly Column<T>[], rows: readonly T[]): string {
  const cells = rows.map((row) => columns.map((c) => c.cell(row)));
  const widths = columns.map((c, i) =>
    Math.max(c.header.length, ...cells.map((r) => stripAnsi(r[i] ?? '').length)),
  );
  const line = (texts: readonly string[]) =>
    texts
      .map((text, i) => {
        const pad = ' '.repeat(Math.max(0, widths[i]! - stripAnsi(text).length));
        return columns[i]!.align === 'right' ? pad + text : text + pad;
      })
      .join('  ')
      .trimEnd();
  return `${[line(columns.map((c) => c.header)), ...cells.map(line)].join('\n')}\n`;
}

/** One CSV field, quoted when it holds a comma, quote or newline (RFC 4180). */
export function csvField(value: string | number | boolean | null | undefined): string {
  const text = value === null || value === undefined ? '' : String(value);
  return /[",\n\r]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}
