import type { ViewName } from './keys.js';
import type { EventEntry, NodeModel } from './model.js';
import type { ServerActionId, ServerTarget } from './server-actions.js';

/** An action the operator confirmed, waiting for (or getting) the daemon's answer. */
export interface PendingAction {
  readonly id: number;
  readonly action: ServerActionId;
  readonly target: ServerTarget;
  /** The weight typed at the prompt. */
  readonly value: string | undefined;
}

/** What the keyboard is doing now. */
export type Mode =
  | { readonly kind: 'normal' }
  | { readonly kind: 'help' }
  | { readonly kind: 'filter'; readonly draft: string }
  | {
      readonly kind: 'prompt';
      readonly action: ServerActionId;
      readonly target: ServerTarget;
      readonly draft: string;
    }
  | { readonly kind: 'confirm'; readonly pending: PendingAction };

/** The short line under the table: an action's result or a refusal. */
export interface Message {
  readonly text: string;
  readonly kind: 'info' | 'ok' | 'error';
  readonly time: number;
}

/** How a view is sorted: a column key and a direction. */
export interface SortOrder {
  readonly column: string;
  readonly descending: boolean;
}

/** Everything the dashboard shows and remembers; changed only by the reducer. */
export interface TopState {
  readonly nodes: readonly NodeModel[];
  /** Newest first. */
  readonly events: readonly EventEntry[];
  readonly eventSeq: number;
  readonly view: ViewName;
  /** Selected row key per view. */
  readonly selected: Readonly<Record<ViewName, string | undefined>>;
  /** First row shown per view (scroll position). */
  readonly scroll: Readonly<Record<ViewName, number>>;
  /** Current column (the one `s` sorts by) per view. */
  readonly column: Readonly<Record<ViewName, string | undefined>>;
  readonly sort: Readonly<Record<ViewName, SortOrder | undefined>>;
  readonly filter: Readonly<Record<ViewName, string>>;
  readonly mode: Mode;
  /** Confirmed actions the effect hook has not sent yet. */
  readonly outbox: readonly PendingAction[];
  readonly nextActionId: number;
  readonly message: Message | undefined;
  readonly readOnly: boolean;
  readonly size: { readonly columns: number; readonly rows: number };
  /** Epoch ms of the last tick or update. */
  readonly now: number;
  /** Sparkline samples kept: a minute at the stats interval. */
  readonly historyLength: number;
  /** Set when the operator quits: the exit code. */
  readonly exit: number | undefined;
}

/** Options of {@link initialState}. */
export interface InitialStateOptions {
  /** The targets as given (socket paths, URLs). */
  targets: readonly string[];
  readOnly?: boolean;
  view?: ViewName;
  /** Stats interval, ms. @default 1000 */
  intervalMs?: number;
  size?: { columns: number; rows: number };
  now: number;
}

/** A daemon before its first answer. */
export function emptyNode(target: string, now: number): NodeModel {
  return {
    target,
    name: target,
    link: 'connecting',
    linkSince: now,
    linkError: undefined,
    retryAt: undefined,
    version: undefined,
    pid: undefined,
    level: undefined,
    uptimeSec: undefined,
    currentConns: undefined,
    maxConns: undefined,
    connRate: undefined,
    snapshotTime: undefined,
    servers: [],
    initialWeights: new Map(),
    ports: undefined,
  };
}

/** The state before anything arrives. */
export function initialState(options: InitialStateOptions): TopState {
  const intervalMs = options.intervalMs ?? 1000;
  const perView = <T>(value: T): Record<ViewName, T> => ({ servers: value, ports: value, events: value });
  return {
    nodes: options.targets.map((t) => emptyNode(t, options.now)),
    events: [],
    eventSeq: 0,
    view: options.view ?? 'servers',
    selected: perView(undefined),
    scroll: perView(0),
    column: perView(undefined),
    sort: perView(undefined),
    filter: perView(''),
    mode: { kind: 'normal' },
    outbox: [],
    nextActionId: 1,
    message: undefined,
    readOnly: options.readOnly ?? false,
    size: options.size ?? { columns: 80, rows: 24 },
    now: options.now,
    historyLength: Math.max(2, Math.round(60_000 / intervalMs)),
    exit: undefined,
  };
}
