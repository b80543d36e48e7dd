import type { HelloResult, LbEvent, ServerState, StatsSnapshot } from '@lbctl/protocol';
import { pushEvent, toEventEntry } from './events-log.js';
import { type KeyPress, resolveKey, VIEWS } from './keys.js';
import type { EventEntry, NodeModel } from './model.js';
import { move, moveColumn, selectedServer, sortByColumn } from './navigation.js';
import { applyPortsUpdate, type PortsUpdate, reportFromPressure } from './ports-model.js';
import { SERVER_ACTIONS, type ServerActionId, validWeight } from './server-actions.js';
import { buildServerRows, infoFigures, serverKey, stateKind } from './server-rows.js';
import type { Message, PendingAction, TopState } from './state.js';

/** How long an action's result stays under the table, ms. */
export const MESSAGE_TTL_MS = 6000;

/** Everything that changes the dashboard: data from the daemons, keys, the terminal, time. */
export type TopAction =
  | { type: 'connecting'; node: number; time: number }
  | { type: 'connected'; node: number; hello: HelloResult; time: number }
  | { type: 'disconnected'; node: number; error: string; retryAt: number | undefined; time: number }
  | { type: 'servers-state'; node: number; servers: readonly ServerState[] }
  | { type: 'stats'; node: number; snapshot: StatsSnapshot }
  | { type: 'event'; node: number; event: LbEvent }
  | { type: 'ports'; node: number; report: PortsUpdate }
  | { type: 'key'; key: KeyPress }
  | { type: 'resize'; columns: number; rows: number }
  | { type: 'tick'; time: number }
  /** The effect hook took these actions out of the outbox to send them. */
  | { type: 'actions-sent'; ids: readonly number[] }
  | { type: 'action-result'; id: number; ok: boolean; text: string; time: number };

function updateNode(state: TopState, index: number, change: (node: NodeModel) => NodeModel): TopState {
  const node = state.nodes[index];
  if (node === undefined) return state;
  const nodes = [...state.nodes];
  nodes[index] = change(node);
  return { ...state, nodes };
}

function logLocal(
  state: TopState,
  node: number,
  time: number,
  text: string,
  severity: EventEntry['severity'],
) {
  const entry: EventEntry = {
    seq: state.eventSeq + 1,
    time,
    node,
    kind: 'link',
    subject: '',
    text,
    severity,
  };
  return { ...state, events: pushEvent(state.events, entry), eventSeq: entry.seq };
}

function say(state: TopState, text: string, kind: Message['kind']): TopState {
  return { ...state, message: { text, kind, time: state.now } };
}

function subject(state: TopState, target: { node: number; backend: string; server: string }): string {
  const where = state.nodes.length > 1 ? ` on ${state.nodes[target.node]?.name ?? '?'}` : '';
  return `${target.backend}/${target.server}${where}`;
}

/** Puts a confirmed action in the outbox for the effect hook to send. */
function enqueue(state: TopState, pending: Omit<PendingAction, 'id'>): TopState {
  const spec = SERVER_ACTIONS[pending.action];
  const action: PendingAction = { ...pending, id: state.nextActionId };
  return say(
    {
      ...state,
      mode: { kind: 'normal' },
      outbox: [...state.outbox, action],
      nextActionId: state.nextActionId + 1,
    },
    `${spec.describe(subject(state, pending.target), pending.value)}...`,
    'info',
  );
}

/** Starts an action on the selected server: a prompt, a confirmation, or at once. */
function startAction(state: TopState, action: ServerActionId): TopState {
  const target = selectedServer(state);
  if (target === undefined) return say(state, 'no server selected', 'error');
  const node = state.nodes[target.node];
  if (node?.link !== 'connected')
    return say(state, `${node?.name ?? 'the daemon'} is not connected`, 'error');
  // Said before the daemon refuses: the socket's level is known from hello.
  if (node.level !== undefined && node.level !== 'admin') {
    return say(state, `${node.name}: this connection's level is ${node.level}; actions need admin`, 'error');
  }
  const spec = SERVER_ACTIONS[action];
  if (spec.prompt !== undefined) return { ...state, mode: { kind: 'prompt', action, target, draft: '' } };
  const pending = { action, target, value: undefined };
  if (spec.dangerous) return { ...state, mode: { kind: 'confirm', pending: { ...pending, id: 0 } } };
  return enqueue(state, pending);
}

/** A key that types text: no control characters (Ink passes escape sequences' remains as input). */
function printable(k: KeyPress): boolean {
  if (k.ctrl === true || k.input.length === 0) return false;
  for (const ch of k.input) {
    const code = ch.codePointAt(0) ?? 0;
    if (code < 0x20 || code === 0x7f) return false;
  }
  return true;
}

function onKey(state: TopState, k: KeyPress): TopState {
  if (k.ctrl === true && k.input === 'c') return { ...state, exit: 130 };
  const mode = state.mode;
  switch (mode.kind) {
    case 'help':
      return { ...state, mode: { kind: 'normal' } };
    case 'filter': {
      const view = state.view;
      if (k.return === true) return { ...state, mode: { kind: 'normal' } };
      if (k.escape === true)
        return { ...state, mode: { kind: 'normal' }, filter: { ...state.filter, [view]: '' } };
      let draft = mode.draft;
      if (k.backspace === true || k.delete === true) draft = draft.slice(0, -1);
      else if (printable(k)) draft += k.input;
      else return state;
      // The filter applies while it is typed: the rows narrow with each key.
      return { ...state, mode: { kind: 'filter', draft }, filter: { ...state.filter, [view]: draft } };
    }
    case 'prompt': {
      if (k.escape === true) return say({ ...state, mode: { kind: 'normal' } }, 'cancelled', 'info');
      if (k.return === true) {
        if (!validWeight(mode.draft))
          return say(state, 'a weight is 0-256, or N% of the configured weight', 'error');
        const pending: PendingAction = { id: 0, action: mode.action, target: mode.target, value: mode.draft };
        return { ...state, mode: { kind: 'confirm', pending } };
      }
      let draft = mode.draft;
      if (k.backspace === true || k.delete === true) draft = draft.slice(0, -1);
      else if (/^[0-9%]$/.test(k.input) && draft.length < 7) draft += k.input;
      else return state;
      return { ...state, mode: { ...mode, draft } };
    }
    case 'confirm':
      if (k.input === 'y' || k.input === 'Y') return enqueue(state, mode.pending);
      return say({ ...state, mode: { kind: 'normal' } }, 'cancelled', 'info');
    case 'normal':
      return onIntent(state, k);
  }
}

function onIntent(state: TopState, k: KeyPress): TopState {
  const intent = resolveKey(k, state.view, state.readOnly);
  if (intent === undefined) return state;
  switch (intent.type) {
    case 'quit':
      return { ...state, exit: intent.code };
    case 'help':
      return { ...state, mode: { kind: 'help' } };
    case 'view':
      return { ...state, view: intent.view };
    case 'cycle-view': {
      const at = VIEWS.indexOf(state.view);
      return { ...state, view: VIEWS[(at + intent.delta + VIEWS.length) % VIEWS.length]! };
    }
    case 'move':
      return move(state, intent.to);
    case 'filter':
      return { ...state, mode: { kind: 'filter', draft: state.filter[state.view] } };
    case 'clear':
      return { ...state, filter: { ...state.filter, [state.view]: '' }, message: undefined };
    case 'column':
      return moveColumn(state, intent.delta);
    case 'sort':
      return sortByColumn(state);
    case 'action':
      return startAction(state, intent.action);
  }
}

function onStats(state: TopState, node: number, snapshot: StatsSnapshot): TopState {
  return updateNode(state, node, (n) => {
    const info = infoFigures(snapshot.info);
    return {
      ...n,
      name: info.name ?? n.name,
      version: info.version ?? n.version,
      pid: info.pid ?? n.pid,
      uptimeSec: info.uptimeSec,
      currentConns: info.currentConns,
      maxConns: info.maxConns,
      connRate: info.connRate,
      snapshotTime: snapshot.time,
      servers: buildServerRows(snapshot, {
        node,
        previous: n.servers,
        previousTime: n.snapshotTime,
        initialWeights: n.initialWeights,
        historyLength: state.historyLength,
      }),
    };
  });
}

/**
 * A state change shows at once, not at the next snapshot: the event carries
 * the new status word (and weight), so the row changes the moment the
 * daemon decides, whatever the stats interval.
 */
function applyServerEvent(state: TopState, node: number, event: LbEvent): TopState {
  if (event.topic !== 'server' && event.topic !== 'check') return state;
  const status = event.topic === 'server' ? event.status : event.to;
  const weight = event.topic === 'server' && event.field === 'weight' ? Number(event.to) : undefined;
  const key = serverKey(node, event.backend, event.server);
  return updateNode(state, node, (n) => {
    const at = n.servers.findIndex((r) => r.key === key);
    if (at < 0) return n;
    const servers = [...n.servers];
    const row = servers[at]!;
    servers[at] = {
      ...row,
      status,
      kind: stateKind(status),
      lastChangeSec: row.status === status ? row.lastChangeSec : 0,
      weight: weight !== undefined && Number.isFinite(weight) ? weight : row.weight,
    };
    return { ...n, servers };
  });
}

function onPorts(state: TopState, node: number, report: PortsUpdate): TopState {
  return updateNode(state, node, (n) => {
    const byAddress = new Map(n.servers.map((s) => [s.address, `${s.backend}/${s.server}`]));
    return { ...n, ports: applyPortsUpdate(n.ports, node, report, (d) => byAddress.get(d)) };
  });
}

/** The dashboard's one reducer: pure, so every screen state is reachable in a unit test. */
export function topReducer(state: TopState, action: TopAction): TopState {
  switch (action.type) {
    case 'connecting':
      return updateNode(state, action.node, (n) => ({ ...n, link: 'connecting', retryAt: undefined }));
    case 'connected': {
      const d = action.hello.daemon;
      const next = updateNode(state, action.node, (n) => ({
        ...n,
        link: 'connected',
        linkSince: action.time,
        linkError: undefined,
        retryAt: undefined,
        version: d.version,
        pid: d.pid,
        level: action.hello.level,
        // A restarted daemon starts its counters again: rates restart from the next snapshot.
        servers: n.pid === d.pid ? n.servers : [],
        snapshotTime: n.pid === d.pid ? n.snapshotTime : undefined,
        ports: n.pid === d.pid ? n.ports : undefined,
      }));
      return logLocal(
        next,
        action.node,
        action.time,
        `connected to lbd ${d.version} (pid ${d.pid}, level ${action.hello.level})`,
        'info',
      );
    }
    case 'disconnected': {
      const before = state.nodes[action.node];
      // The clock moves with the news, so the banner never counts from a stale tick.
      const next = updateNode({ ...state, now: Math.max(state.now, action.time) }, action.node, (n) => ({
        ...n,
        link: 'disconnected',
        linkSince: n.link === 'disconnected' ? n.linkSince : action.time,
        linkError: action.error,
        retryAt: action.retryAt,
      }));
      // One line per outage, not one per failed retry.
      if (before?.link === 'disconnected') return next;
      return logLocal(next, action.node, action.time, `connection lost: ${action.error}`, 'error');
    }
    case 'servers-state':
      return updateNode(state, action.node, (n) => {
        const initialWeights = new Map(
          action.servers.map((s) => [`${s.backend}/${s.server}`, s.initialWeight]),
        );
        const servers = n.servers.map((r) => ({
          ...r,
          initialWeight: initialWeights.get(`${r.backend}/${r.server}`),
        }));
        return { ...n, initialWeights, servers };
      });
    case 'stats':
      return onStats(state, action.node, action.snapshot);
    case 'event': {
      const entry = toEventEntry(action.node, action.event, state.eventSeq + 1);
      const next = { ...state, events: pushEvent(state.events, entry), eventSeq: entry.seq };
      if (action.event.topic === 'ports') {
        // Once full reports come (they carry the kernel settings), an alert adds nothing: the
        // report of the same scan follows it with every figure, where the alert would blank some.
        if (state.nodes[action.node]?.ports?.kernel !== undefined) return next;
        return onPorts(next, action.node, reportFromPressure(action.event));
      }
      return applyServerEvent(next, action.node, action.event);
    }
    case 'ports':
      return onPorts(state, action.node, action.report);
    case 'key':
      return onKey(state, action.key);
    case 'resize':
      return { ...state, size: { columns: action.columns, rows: action.rows } };
    case 'tick':
      // Only banners and the message change with the clock alone; otherwise the
      // same state lets React skip the frame (half the frames of an idle screen).
      if (state.message === undefined && state.nodes.every((n) => n.link === 'connected')) return state;
      return {
        ...state,
        now: action.time,
        message:
          state.message !== undefined && action.time - state.message.time > MESSAGE_TTL_MS
            ? undefined
            : state.message,
      };
    case 'actions-sent': {
      const sent = new Set(action.ids);
      return { ...state, outbox: state.outbox.filter((a) => !sent.has(a.id)) };
    }
    case 'action-result':
      return {
        ...state,
        now: action.time,
        message: { text: action.text, kind: action.ok ? 'ok' : 'error', time: action.time },
      };
  }
}
