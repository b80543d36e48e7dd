import { HAPROXY_STAT_COLUMNS, type StatRow } from '@lbctl/protocol';

/** Quotes a field only when it holds a comma or a quote, doubling inner quotes, as HAProxy does. */
function csvField(value: string | number | undefined): string {
  if (value === undefined) return '';
  const text = String(value);
  return /[",]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

/** `show stat` CSV: `# ` header and rows, every line ending in a comma. */
export function renderStatCsv(rows: readonly StatRow[]): string {
  let out = `# ${HAPROXY_STAT_COLUMNS.join(',')},\n`;
  for (const row of rows) {
    out += `${HAPROXY_STAT_COLUMNS.map((column) => csvField(row[column])).join(',')},\n`;
  }
  return out;
}
