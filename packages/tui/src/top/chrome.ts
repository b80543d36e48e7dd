/**
 * The lines around the table (header, tabs, banners, status line, footer),
 * built as styled segments by pure functions so that the frame, `--once`
 * and the tests share them.
 */
import type { Segment } from './columns.js';
import { formatClock, formatDuration, formatQuantity, type Glyphs } from './format.js';
import { portFigures } from './header-ports.js';
import { activeBindings, VIEWS } from './keys.js';
import type { NodeModel } from './model.js';
import { SERVER_ACTIONS } from './server-actions.js';
import type { TopState } from './state.js';
import { stateCounts, VIEW_SPECS } from './views.js';

const SEP: Segment = { text: '  ' };

/** The daemon's identity and figures: node, version, pid, uptime, connections, rate, ports. */
function identityLine(node: NodeModel, glyphs: Glyphs, columns: number): Segment[] {
  const dot: Segment = {
    text: `${node.link === 'connected' ? glyphs.linkUp : glyphs.linkDown} `,
    color: node.link === 'connected' ? 'green' : 'red',
  };
  const identity: Segment[] = [
    dot,
    { text: node.name, bold: true },
    {
      text: ` lbd ${node.version ?? '?'} pid ${node.pid ?? '?'} up ${formatDuration(node.uptimeSec)}`,
      dim: true,
    },
  ];
  if (node.snapshotTime === undefined) return identity;
  const full =
    node.maxConns !== undefined &&
    node.currentConns !== undefined &&
    node.currentConns >= node.maxConns * 0.9;
  const figures: Segment[] = [
    ...identity,
    SEP,
    { text: 'conns ', dim: true },
    { text: `${node.currentConns ?? '-'}/${node.maxConns ?? '-'}`, color: full ? 'red' : undefined },
    SEP,
    { text: 'new ', dim: true },
    { text: `${formatQuantity(node.connRate)}/s` },
    SEP,
  ];
  const used = figures.reduce((n, s) => n + [...s.text].length, 0);
  return [...figures, ...portFigures(node, glyphs, columns - used)];
}

/** Up and down servers per backend of one daemon. */
function backendsLine(node: NodeModel, glyphs: Glyphs): Segment[] {
  const byBackend = new Map<string, NodeModel['servers'][number][]>();
  for (const s of node.servers) {
    const list = byBackend.get(s.backend) ?? [];
    if (list.length === 0) byBackend.set(s.backend, list);
    list.push(s);
  }
  if (byBackend.size === 0) return [{ text: '  no servers yet', dim: true }];
  const out: Segment[] = [{ text: '  ' }];
  for (const [backend, servers] of byBackend) {
    const c = stateCounts(servers);
    if (out.length > 1) out.push({ text: '  ' });
    out.push({ text: `${backend} ` }, { text: `${c.up}${glyphs.up}`, color: 'green' });
    out.push({
      text: `${c.down}▼`,
      color: c.down > 0 ? 'red' : undefined,
      dim: c.down === 0,
      bold: c.down > 0,
    });
    if (c.other > 0) out.push({ text: `${c.other}${glyphs.out}`, color: 'yellow' });
  }
  return out;
}

/** Two header lines per daemon. */
export function headerLines(state: TopState, glyphs: Glyphs): Segment[][] {
  return state.nodes.flatMap((node) => [
    identityLine(node, glyphs, state.size.columns),
    backendsLine(node, glyphs),
  ]);
}

/** The view tabs, with the filter, the sort and the time of the last snapshot. */
export function tabsLine(state: TopState): Segment[] {
  const out: Segment[] = [];
  VIEWS.forEach((view, i) => {
    const active = view === state.view;
    out.push({ text: ` ${i + 1} ${VIEW_SPECS[view].title} `, inverse: active, bold: active }, { text: ' ' });
  });
  const filter = state.filter[state.view];
  if (filter !== '') out.push({ text: ' filter ', dim: true }, { text: filter, color: 'cyan' });
  const sort = state.sort[state.view];
  if (sort !== undefined)
    out.push({ text: ' sort ', dim: true }, { text: `${sort.column} ${sort.descending ? 'v' : '^'}` });
  if (state.readOnly) out.push({ text: ' read-only', color: 'yellow' });
  const last = Math.max(0, ...state.nodes.map((n) => n.snapshotTime ?? 0));
  if (last > 0) out.push({ text: `  ${formatClock(last)}`, dim: true });
  return out;
}

/** One red line per daemon that is not connected: the reason and when the next attempt is. */
export function bannerLines(state: TopState): Segment[][] {
  return state.nodes
    .filter((n) => n.link !== 'connected')
    .map((n) => {
      if (n.link === 'connecting' && n.linkError === undefined) {
        return [{ text: ` ${n.name}: connecting to ${n.target}... `, color: 'yellow', inverse: true }];
      }
      const down = formatDuration(Math.max(0, state.now - n.linkSince) / 1000);
      const retry =
        n.link === 'connecting'
          ? 'reconnecting now'
          : n.retryAt === undefined
            ? ''
            : n.retryAt - state.now < 1000
              ? 'retrying'
              : `retrying in ${formatDuration((n.retryAt - state.now) / 1000)}`;
      return [
        {
          text: ` DISCONNECTED ${n.name} for ${down}: ${n.linkError ?? 'connection lost'}${retry === '' ? '' : `; ${retry}`} `,
          color: 'red',
          inverse: true,
          bold: true,
        },
      ];
    });
}

/** The line under the table: the filter being typed, the weight prompt, a confirmation, or the last message. */
export function statusLine(state: TopState): Segment[] {
  const mode = state.mode;
  const name = (t: { node: number; backend: string; server: string }) =>
    `${t.backend}/${t.server}${state.nodes.length > 1 ? ` on ${state.nodes[t.node]?.name ?? '?'}` : ''}`;
  switch (mode.kind) {
    case 'filter':
      return [
        { text: '/', bold: true },
        { text: mode.draft },
        { text: '_', dim: true },
        { text: '  Enter keep, Esc clear', dim: true },
      ];
    case 'prompt': {
      const spec = SERVER_ACTIONS[mode.action];
      return [
        { text: `${spec.prompt} for ${name(mode.target)}: `, bold: true },
        { text: mode.draft },
        { text: '_', dim: true },
      ];
    }
    case 'confirm': {
      const spec = SERVER_ACTIONS[mode.pending.action];
      const what = spec.describe(name(mode.pending.target), mode.pending.value);
      return [
        {
          text: ` ${what[0]?.toUpperCase()}${what.slice(1)}? y/N `,
          color: 'yellow',
          inverse: true,
          bold: true,
        },
      ];
    }
    default: {
      const m = state.message;
      // A space, not '': Ink gives an empty text no line, and the footer would move up.
      if (m === undefined) return [{ text: ' ' }];
      return [{ text: m.text, color: m.kind === 'error' ? 'red' : m.kind === 'ok' ? 'green' : undefined }];
    }
  }
}

/** The keys of the current view, drawn from the key table, as many whole ones as fit (`?` shows them all). */
export function footerLine(state: TopState): Segment[] {
  const out: Segment[] = [];
  let used = 0;
  for (const b of activeBindings(state.view, state.readOnly)) {
    if (b.footer === undefined) continue;
    const keys = b.footerKeys ?? b.keys;
    const label = ` ${b.footer} `;
    if (used + keys.length + label.length - 1 > state.size.columns) break;
    used += keys.length + label.length;
    out.push({ text: keys, bold: true, inverse: true }, { text: label });
  }
  return out;
}
