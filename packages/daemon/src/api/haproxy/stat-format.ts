import { HAPROXY_STAT_COLUMNS, type StatRow } from '@lbctl/protocol';
import { expandTags, statFieldTag, tagType } from './field-tags.js';

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

const KIND_LETTER: Readonly<Record<number, string>> = { 0: 'F', 1: 'B', 2: 'S', 3: 'L' };
const KIND_NAME: Readonly<Record<string, string>> = {
  F: 'Frontend',
  B: 'Backend',
  S: 'Server',
  L: 'Listener',
};

/**
 * Text fields HAProxy lists in typed output even when empty, as long as the
 * check they report on runs: the last check's (or agent's) message, empty
 * after a success.
 */
const PRESENT_WHEN: Readonly<Record<string, string>> = { last_chk: 'check_status', last_agt: 'agent_status' };

/** The typed fields of a row: non-empty cells, positions without HAProxy's `-` delimiter column. */
function typedFields(row: StatRow): { pos: number; name: string; value: string | number }[] {
  const out: { pos: number; name: string; value: string | number }[] = [];
  let pos = 0;
  for (const name of HAPROXY_STAT_COLUMNS) {
    if (name === '-') continue;
    const value = row[name];
    const companion = PRESENT_WHEN[name];
    const present =
      value !== undefined && (value !== '' || (companion !== undefined && isFilled(row, companion)));
    if (present) out.push({ pos, name, value });
    pos++;
  }
  return out;
}

function isFilled(row: StatRow, column: string): boolean {
  const value = row[column as keyof StatRow];
  return value !== undefined && value !== '';
}

function kindOf(row: StatRow): string {
  return KIND_LETTER[Number(row.type)] ?? 'F';
}

/** `show stat typed`: `K.iid.sid.pos.name.1:ONS:type:value`, one line per non-empty field. */
export function renderStatTyped(rows: readonly StatRow[]): string {
  let out = '';
  for (const row of rows) {
    const kind = kindOf(row);
    const prefix = `${kind}.${row.iid}.${row.sid}.`;
    for (const field of typedFields(row)) {
      out += `${prefix}${field.pos}.${field.name}.1:${statFieldTag(field.name, kind)}:${field.value}\n`;
    }
  }
  return out;
}

/** A typed value as HAProxy's JSON output writes it: numbers for integer types. */
export function typedJsonValue(
  type: string,
  value: string | number,
): { type: string; value: string | number } {
  return { type, value: type === 'str' ? String(value) : Number(value) };
}

/** `show stat json`: one line, an array with one array of fields per row. */
export function renderStatJson(rows: readonly StatRow[]): string {
  const objects = rows.map((row) => {
    const kind = kindOf(row);
    return typedFields(row).map((field) => {
      const tag = statFieldTag(field.name, kind);
      return {
        objType: KIND_NAME[kind],
        proxyId: Number(row.iid),
        id: Number(row.sid),
        field: { pos: field.pos, name: field.name },
        processNum: 1,
        tags: expandTags(tag),
        value: typedJsonValue(tagType(tag), field.value),
      };
    });
  });
  return `${JSON.stringify(objects)}\n`;
}
