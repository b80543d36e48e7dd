import type { Command } from 'commander';
import { UsageError } from '../../errors.js';
import { VerbContext } from '../context.js';
import type { CliDeps } from '../deps.js';
import { examples } from './help.js';

/** Verbs whose arguments are server names, completed from the daemon. */
const SERVER_VERBS = [
  'status',
  'enable',
  'disable',
  'drain',
  'ready',
  'weight',
  'health',
  'shutdown-sessions',
];

interface VerbInfo {
  name: string;
  summary: string;
  options: string[];
}

function verbs(program: Command): VerbInfo[] {
  return program.commands
    .filter((c) => !c.name().startsWith('_'))
    .map((c) => ({
      name: c.name(),
      summary: c.summary() || c.description().split('\n')[0] || '',
      options: c.options.map((o) => o.long).filter((l): l is string => l !== undefined),
    }));
}

function globalOptions(program: Command): string[] {
  return program.options.map((o) => o.long).filter((l): l is string => l !== undefined);
}

function bash(program: Command): string {
  const list = verbs(program);
  const cases = list.map((v) => `    ${v.name}) opts="${v.options.join(' ')}" ;;`).join('\n');
  return `# lbctl bash completion: source <(lbctl completion bash)
_lbctl() {
  local cur="\${COMP_WORDS[COMP_CWORD]}" verb="" i
  for ((i = 1; i < COMP_CWORD; i++)); do
    case "\${COMP_WORDS[i]}" in
      --socket|--url|--token-file|--connect-timeout) ((i++)) ;;
      -*) ;;
      *) verb="\${COMP_WORDS[i]}"; break ;;
    esac
  done
  local globals="${globalOptions(program).join(' ')}"
  if [[ -z "$verb" ]]; then
    COMPREPLY=($(compgen -W "${list.map((v) => v.name).join(' ')} $globals" -- "$cur"))
    return
  fi
  local opts=""
  case "$verb" in
${cases}
  esac
  if [[ "$cur" == -* ]]; then
    COMPREPLY=($(compgen -W "$opts $globals" -- "$cur"))
  elif [[ " ${SERVER_VERBS.join(' ')} " == *" $verb "* ]]; then
    COMPREPLY=($(compgen -W "$(lbctl _servers 2>/dev/null)" -- "$cur"))
  elif [[ "$verb" == completion ]]; then
    COMPREPLY=($(compgen -W "bash zsh fish" -- "$cur"))
  fi
}
complete -F _lbctl lbctl
`;
}

function zsh(program: Command): string {
  const list = verbs(program)
    .map((v) => `    '${v.name}:${v.summary.replace(/'/g, "'\\''").replace(/:/g, '\\:')}'`)
    .join('\n');
  return `#compdef lbctl
# lbctl zsh completion: lbctl completion zsh > "\${fpath[1]}/_lbctl"
_lbctl() {
  local -a verbs
  verbs=(
${list}
  )
  if (( CURRENT == 2 )); then
    _describe 'lbctl verb' verbs
    return
  fi
  case "\${words[2]}" in
    ${SERVER_VERBS.join('|')})
      local -a servers
      servers=(\${(f)"$(lbctl _servers 2>/dev/null)"})
      _describe 'server' servers ;;
    completion) _values 'shell' bash zsh fish ;;
  esac
}
compdef _lbctl lbctl
`;
}

function fish(program: Command): string {
  const lines = ['# lbctl fish completion: lbctl completion fish > ~/.config/fish/completions/lbctl.fish'];
  lines.push('complete -c lbctl -f');
  for (const v of verbs(program)) {
    lines.push(
      `complete -c lbctl -n __fish_use_subcommand -a ${v.name} -d '${v.summary.replace(/'/g, "\\'")}'`,
    );
    for (const o of v.options) {
      lines.push(`complete -c lbctl -n '__fish_seen_subcommand_from ${v.name}' -l ${o.slice(2)}`);
    }
  }
  for (const o of globalOptions(program)) lines.push(`complete -c lbctl -l ${o.slice(2)}`);
  lines.push(
    `complete -c lbctl -n '__fish_seen_subcommand_from ${SERVER_VERBS.join(' ')}' -a '(lbctl _servers 2>/dev/null)'`,
  );
  lines.push("complete -c lbctl -n '__fish_seen_subcommand_from completion' -a 'bash zsh fish'");
  return `${lines.join('\n')}\n`;
}

/** `lbctl completion bash|zsh|fish`, generated from the program itself so it never goes stale. */
export function registerCompletionVerb(program: Command, deps: CliDeps): void {
  program
    .command('completion')
    .summary('print a shell completion script (bash, zsh or fish)')
    .description('Print a completion script for the shell; server names are completed from the daemon.')
    .argument('<shell>', 'bash, zsh or fish')
    .addHelpText(
      'after',
      examples([
        'source <(lbctl completion bash)',
        'lbctl completion zsh > ~/.zfunc/_lbctl   # with fpath+=(~/.zfunc) in .zshrc',
        'lbctl completion fish > ~/.config/fish/completions/lbctl.fish',
      ]),
    )
    .action((shell: string) => {
      const scripts: Record<string, (p: Command) => string> = { bash, zsh, fish };
      const make = scripts[shell];
      if (make === undefined) throw new UsageError(`completion: expected bash, zsh or fish, got '${shell}'`);
      deps.stdout.write(make(program));
    });

  // Used by the completion scripts; hidden from help. Quiet on failure: a
  // completion must never print errors into the operator's prompt.
  program
    .command('_servers', { hidden: true })
    .description('print server names for shell completion')
    .action(async (_opts: unknown, command: Command) => {
      const ctx = new VerbContext(deps, command);
      const names = new Set<string>();
      await ctx
        .eachClient(async (client) => {
          const { servers } = await client.request('show-servers-state', {});
          for (const s of servers) {
            names.add(s.server);
            names.add(`${s.backend}/${s.server}`);
          }
        })
        .catch(() => {});
      if (names.size > 0) ctx.out(`${[...names].join('\n')}\n`);
    });
}
