import type { ParseContext } from './context.js';
import { finalizeProxy, type ProxyDraft } from './draft.js';
import { suggestValue } from './suggest.js';
import type { ProxyConfig, SourceLocation } from './types.js';

/**
 * Checks that need the whole file: names and ids that must be unique,
 * references between sections, and sections that cannot work as written.
 * Then assigns ids and produces the final proxies.
 */

const at = (where: SourceLocation) => `${where.file}:${where.line}`;

const hasFrontend = (p: ProxyDraft) => p.kind === 'frontend' || p.kind === 'listen';
const hasBackend = (p: ProxyDraft) => p.kind === 'backend' || p.kind === 'listen';

/** A stats-only section: HTTP mode is allowed there because lbd serves the page itself. */
function isStatsPage(p: ProxyDraft): boolean {
  return hasFrontend(p) && p.stats !== undefined && p.servers.length === 0 && p.defaultBackend === undefined;
}

function checkNames(ctx: ParseContext, proxies: ProxyDraft[]): void {
  proxies.forEach((p, i) => {
    // A frontend and a backend may share a name (HAProxy allows it); two of the same capability may not.
    const clash = proxies
      .slice(0, i)
      .find(
        (q) => q.name === p.name && ((hasFrontend(p) && hasFrontend(q)) || (hasBackend(p) && hasBackend(q))),
      );
    if (clash) {
      ctx.error(
        'LB_ERR_CONFIG_DUPLICATE',
        p.where,
        `duplicate ${p.kind} name '${p.name}': a ${clash.kind} with that name is already defined at ${at(clash.where)}`,
      );
    }
  });
}

/** Gives each item its explicit id or the next free one from `first`, reporting explicit ids used twice. */
function assignIds(
  ctx: ParseContext,
  items: { id?: { value: number; where: SourceLocation }; label: string; where: SourceLocation }[],
  first: number,
): number[] {
  const taken = new Map<number, (typeof items)[number]>();
  for (const item of items) {
    if (!item.id) continue;
    const owner = taken.get(item.id.value);
    if (owner) {
      ctx.error(
        'LB_ERR_CONFIG_DUPLICATE',
        item.id.where,
        `duplicate id ${item.id.value}: ${owner.label} at ${at(owner.where)} already uses it`,
      );
    } else {
      taken.set(item.id.value, item);
    }
  }
  let next = first;
  return items.map((item) => {
    if (item.id) return item.id.value;
    while (taken.has(next)) next++;
    return next++;
  });
}

function checkMode(ctx: ParseContext, p: ProxyDraft): void {
  if (p.kind === 'defaults') return;
  const label = `${p.kind} '${p.name}'`;
  if (p.mode === undefined && (p.servers.length > 0 || p.binds.length > 0)) {
    ctx.notice(p.where, "no 'mode' set; lbd assumes tcp");
  }
  if (p.mode === 'http' && !isStatsPage(p)) {
    ctx.error(
      'LB_ERR_CONFIG_UNSUPPORTED',
      p.where,
      `${label} is in HTTP mode (set at ${at(p.modeWhere!)}) but lbd proxies TCP only: use 'mode tcp' ` +
        '(HTTP mode is kept for a stats page with no servers)',
    );
  }
  if (p.mode !== 'http' && p.stats && p.statsWhere) {
    ctx.notice(
      p.statsWhere,
      "'stats' directives have no effect in TCP mode: the stats page needs 'mode http'",
    );
  }
}

function checkFrontend(ctx: ParseContext, p: ProxyDraft, proxies: ProxyDraft[]): void {
  const label = `${p.kind} '${p.name}'`;
  if (p.kind === 'frontend' && p.bindLines === 0) {
    ctx.error(
      'LB_ERR_CONFIG_INCOMPLETE',
      p.where,
      `${label} has no 'bind' line: it would never receive a connection`,
    );
  }
  if (p.kind === 'listen' && p.bindLines === 0 && p.servers.length === 0 && !p.stats) {
    ctx.notice(p.where, `${label} has no 'bind' and no 'server': it does nothing`);
  }
  const target = p.defaultBackend;
  if (!target) {
    if (p.kind === 'frontend' && !isStatsPage(p)) {
      ctx.error(
        'LB_ERR_CONFIG_INCOMPLETE',
        p.where,
        `${label} has no 'default_backend': lbd needs one to know where connections go ('use_backend' is not supported yet)`,
      );
    }
    return;
  }
  const named = proxies.filter((q) => q.name === target.name);
  if (named.some(hasBackend)) return;
  if (named.length > 0) {
    ctx.error(
      'LB_ERR_CONFIG_REFERENCE',
      target.where,
      `default_backend '${target.name}' names a frontend, which has no servers: name a backend or listen section`,
    );
    return;
  }
  ctx.error(
    'LB_ERR_CONFIG_REFERENCE',
    target.where,
    `default_backend '${target.name}': no backend or listen section has that name`,
    suggestValue(
      target.name,
      proxies.filter(hasBackend).map((q) => q.name),
    ),
  );
}

function checkServers(ctx: ParseContext, p: ProxyDraft): number[] {
  p.servers.forEach((s, i) => {
    const first = p.servers.slice(0, i).find((q) => q.name === s.name);
    if (first) {
      ctx.error(
        'LB_ERR_CONFIG_DUPLICATE',
        s.where,
        `duplicate server name '${s.name}' in ${p.kind} '${p.name}': already defined at ${at(first.where)}`,
      );
    }
  });
  const items = p.servers.map((s) => ({
    id: s.params.id === undefined ? undefined : { value: s.params.id, where: s.where },
    label: `server '${s.name}'`,
    where: s.where,
  }));
  return assignIds(ctx, items, 1);
}

function checkBinds(ctx: ParseContext, proxies: ProxyDraft[]): void {
  const seen = new Map<string, ProxyDraft>();
  for (const p of proxies) {
    if (p.disabled) continue;
    for (const b of p.binds) {
      const host = b.host === '' || b.host === '*' || b.host === '0.0.0.0' ? '*' : b.host;
      const shown = host.includes(':') ? `[${host}]:${b.port}` : `${host}:${b.port}`;
      const owner = seen.get(shown);
      if (owner) {
        ctx.error(
          'LB_ERR_CONFIG_DUPLICATE',
          b.where,
          `address ${shown} is already bound by ${owner.kind} '${owner.name}'`,
        );
      } else {
        seen.set(shown, p);
      }
    }
  }
}

/** Validates the parsed sections and returns them in their final form, ids assigned. */
export function validateProxies(ctx: ParseContext, proxies: ProxyDraft[]): ProxyConfig[] {
  checkNames(ctx, proxies);
  checkBinds(ctx, proxies);
  const proxyIds = assignIds(
    ctx,
    proxies.map((p) => ({ id: p.id, label: `${p.kind} '${p.name}'`, where: p.where })),
    2,
  );
  return proxies.map((p, i) => {
    checkMode(ctx, p);
    if (hasFrontend(p)) checkFrontend(ctx, p, proxies);
    const serverIds = checkServers(ctx, p);
    return finalizeProxy(p, proxyIds[i]!, serverIds);
  });
}
