import type { ServerActionId } from './server-actions.js';

/** The dashboard's views, in Tab order. */
export const VIEWS = ['servers', 'ports', 'events'] as const;

/** One view of the dashboard. */
export type ViewName = (typeof VIEWS)[number];

/**
 * A key as the reducer sees it: Ink's input string and the flags it sets,
 * without Ink's type, so the reducer and its tests need no terminal.
 */
export interface KeyPress {
  input: string;
  ctrl?: boolean;
  shift?: boolean;
  tab?: boolean;
  escape?: boolean;
  return?: boolean;
  backspace?: boolean;
  delete?: boolean;
  upArrow?: boolean;
  downArrow?: boolean;
  leftArrow?: boolean;
  rightArrow?: boolean;
  pageUp?: boolean;
  pageDown?: boolean;
  home?: boolean;
  end?: boolean;
}

/** What a key asks for in the normal mode; the reducer carries it out. */
export type Intent =
  | { type: 'quit'; code: number }
  | { type: 'help' }
  | { type: 'view'; view: ViewName }
  | { type: 'cycle-view'; delta: 1 | -1 }
  | { type: 'move'; to: 'up' | 'down' | 'page-up' | 'page-down' | 'home' | 'end' }
  | { type: 'filter' }
  | { type: 'clear' }
  | { type: 'column'; delta: 1 | -1 }
  | { type: 'sort' }
  | { type: 'action'; action: ServerActionId };

/** One key binding: the footer, the `?` screen and the README's table are drawn from these. */
export interface KeyBinding {
  /** How the key is written for people (footer, help, README). */
  readonly keys: string;
  /** What it does, for the help screen and the README. */
  readonly help: string;
  /** A one-word label for the footer; absent: help screen only. */
  readonly footer?: string;
  /** The key as the footer writes it, when shorter than {@link keys}. */
  readonly footerKeys?: string;
  /** Views where the key works; absent: every view. */
  readonly views?: readonly ViewName[];
  /** Changes the daemon: absent under `--read-only`. */
  readonly mutates?: boolean;
  /** Asks for confirmation (`y`) before it runs. */
  readonly dangerous?: boolean;
  readonly match: (k: KeyPress) => boolean;
  /** What the key asks for; a function where one entry covers a pair of keys (Up/Down). */
  readonly intent: Intent | ((k: KeyPress) => Intent);
}

const char = (c: string) => (k: KeyPress) => k.input === c && k.ctrl !== true;

/** Exit code of `q`; Ctrl-C exits 130 like any interrupted lbctl command. */
const QUIT_OK = 0;
const QUIT_INTERRUPTED = 130;

/**
 * Every key of the dashboard. Order is the footer's and the help screen's
 * order; the first match wins.
 */
export const KEY_BINDINGS: readonly KeyBinding[] = [
  { keys: '?', help: 'show or hide this help', footer: 'help', match: char('?'), intent: { type: 'help' } },
  {
    keys: 'q',
    help: 'quit (exit 0)',
    footer: 'quit',
    match: char('q'),
    intent: { type: 'quit', code: QUIT_OK },
  },
  {
    keys: 'Ctrl-C',
    help: 'quit (exit 130, as an interrupted command)',
    match: (k) => k.ctrl === true && k.input === 'c',
    intent: { type: 'quit', code: QUIT_INTERRUPTED },
  },
  {
    keys: 'Tab / Shift-Tab',
    help: 'next / previous view',
    footer: 'view',
    footerKeys: 'Tab',
    match: (k) => k.tab === true,
    intent: (k) => ({ type: 'cycle-view', delta: k.shift === true ? -1 : 1 }),
  },
  {
    keys: '1 2 3',
    help: 'servers, ports, events view',
    match: (k) => k.ctrl !== true && /^[1-3]$/.test(k.input),
    intent: (k) => ({ type: 'view', view: VIEWS[Number(k.input) - 1] ?? 'servers' }),
  },
  {
    keys: 'Up Down / k j',
    help: 'select the row above / below',
    match: (k) => k.upArrow === true || k.downArrow === true || char('k')(k) || char('j')(k),
    intent: (k) => ({ type: 'move', to: k.upArrow === true || k.input === 'k' ? 'up' : 'down' }),
  },
  {
    keys: 'PgUp PgDn',
    help: 'one page up / down',
    match: (k) => k.pageUp === true || k.pageDown === true,
    intent: (k) => ({ type: 'move', to: k.pageUp === true ? 'page-up' : 'page-down' }),
  },
  {
    keys: 'Home End / g G',
    help: 'first / last row',
    match: (k) => k.home === true || k.end === true || char('g')(k) || char('G')(k),
    intent: (k) => ({ type: 'move', to: k.home === true || k.input === 'g' ? 'home' : 'end' }),
  },
  {
    keys: '/',
    help: 'filter rows (Enter keeps it, Esc drops it)',
    footer: 'filter',
    match: char('/'),
    intent: { type: 'filter' },
  },
  {
    keys: 'Esc',
    help: 'clear the filter and the message',
    match: (k) => k.escape === true,
    intent: { type: 'clear' },
  },
  {
    keys: 'Left Right',
    help: 'move the current column (underlined)',
    match: (k) => k.leftArrow === true || k.rightArrow === true,
    intent: (k) => ({ type: 'column', delta: k.leftArrow === true ? -1 : 1 }),
  },
  {
    keys: 's',
    help: 'sort by the current column (again: reverse, a third time: default order)',
    footer: 'sort',
    match: char('s'),
    intent: { type: 'sort' },
  },
  {
    keys: 'd',
    help: 'drain the selected server',
    footer: 'drain',
    views: ['servers'],
    mutates: true,
    dangerous: true,
    match: char('d'),
    intent: { type: 'action', action: 'drain' },
  },
  {
    keys: 'r',
    help: 'set the selected server ready (end drain or maintenance)',
    footer: 'ready',
    views: ['servers'],
    mutates: true,
    match: char('r'),
    intent: { type: 'action', action: 'ready' },
  },
  {
    keys: 'x',
    help: 'disable the selected server (maintenance)',
    footer: 'disable',
    views: ['servers'],
    mutates: true,
    dangerous: true,
    match: char('x'),
    intent: { type: 'action', action: 'disable' },
  },
  {
    keys: 'e',
    help: 'enable the selected server (leave maintenance)',
    footer: 'enable',
    views: ['servers'],
    mutates: true,
    match: char('e'),
    intent: { type: 'action', action: 'enable' },
  },
  {
    keys: 'w',
    help: 'set the weight of the selected server (prompt)',
    footer: 'weight',
    views: ['servers'],
    mutates: true,
    dangerous: true,
    match: char('w'),
    intent: { type: 'action', action: 'weight' },
  },
  {
    keys: 'K',
    help: 'shut down every session of the selected server',
    footer: 'kill',
    views: ['servers'],
    mutates: true,
    dangerous: true,
    match: char('K'),
    intent: { type: 'action', action: 'shutdown' },
  },
];

/** The bindings that apply in a view, without the ones that change the daemon under `--read-only`. */
export function activeBindings(view: ViewName, readOnly: boolean): KeyBinding[] {
  return KEY_BINDINGS.filter(
    (b) => (b.views === undefined || b.views.includes(view)) && !(readOnly && b.mutates === true),
  );
}

/** The intent of a key in the normal mode, or undefined when nothing is bound to it here. */
export function resolveKey(k: KeyPress, view: ViewName, readOnly: boolean): Intent | undefined {
  const binding = activeBindings(view, readOnly).find((b) => b.match(k));
  if (binding === undefined) return undefined;
  return typeof binding.intent === 'function' ? binding.intent(k) : binding.intent;
}
