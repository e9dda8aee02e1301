/** What a completion script knows of one command word: its flags, and its verbs when it has some. */
export interface CompletionNode {
  name: string;
  summary: string;
  flags: readonly CompletionFlag[];
  verbs: readonly CompletionNode[];
  /** Whether its argument is a path (`project add <path>`): the shell completes files there. */
  takesPath: boolean;
  /** The values its argument takes, when there are few (`completion <shell>`). */
  argChoices: readonly string[];
}

export interface CompletionFlag {
  name: string;
  short?: string | undefined;
  takesValue: boolean;
  choices?: readonly string[] | undefined;
  description: string;
}

export const SHELLS = ['bash', 'zsh', 'fish'] as const;
export type Shell = (typeof SHELLS)[number];

export function completionScript(shell: Shell, tree: readonly CompletionNode[]): string {
  return { bash: bashScript, zsh: zshScript, fish: fishScript }[shell](tree);
}

/** Each (noun, verb) pair a command line can name; verb is '' for a noun without verbs. */
function commandsOf(tree: readonly CompletionNode[]): { noun: CompletionNode; verb: CompletionNode | null; node: CompletionNode }[] {
  return tree.flatMap((noun) => (noun.verbs.length === 0 ? [{ noun, verb: null, node: noun }] : noun.verbs.map((verb) => ({ noun, verb: verb as CompletionNode | null, node: verb }))));
}

const quoted = (text: string) => `'${text.replaceAll("'", `'\\''`)}'`;
const flagWords = (node: CompletionNode) => node.flags.flatMap((f) => [`--${f.name}`, ...(f.short ? [`-${f.short}`] : [])]).join(' ');

function bashScript(tree: readonly CompletionNode[]): string {
  const withVerbs = tree.filter((noun) => noun.verbs.length > 0);
  const commandCases = commandsOf(tree).map(({ noun, verb, node }) => {
    const choiceCases = node.flags
      .filter((f) => f.choices)
      .map((f) => `        --${f.name}) COMPREPLY=($(compgen -W ${quoted(f.choices!.join(' '))} -- "$cur")); return ;;`);
    const valueFlags = node.flags.filter((f) => f.takesValue && !f.choices).map((f) => `--${f.name}`);
    return [
      `    ${quoted(`${noun.name} ${verb?.name ?? ''}`)})`,
      '      case "$prev" in',
      ...choiceCases,
      // A value of its own (an id, a title): nothing to offer but the files -o default gives.
      ...(valueFlags.length > 0 ? [`        ${valueFlags.join('|')}) return ;;`] : []),
      '      esac',
      `      flags=${quoted(flagWords(node))} args=${quoted(node.argChoices.join(' '))} ;;`,
    ].join('\n');
  });
  return `# forgecore completion for bash. Load it in this shell with: source <(forgecore completion bash)
# or for every shell: forgecore completion bash > ~/.local/share/bash-completion/completions/forgecore
_forgecore_completion() {
  local cur="\${COMP_WORDS[COMP_CWORD]}" prev="\${COMP_WORDS[COMP_CWORD-1]}"
  local noun="\${COMP_WORDS[1]}" verb="" flags="" args=""
  if (( COMP_CWORD == 1 )); then
    COMPREPLY=($(compgen -W ${quoted(tree.map((n) => n.name).join(' '))} -- "$cur"))
    return
  fi
  case "$noun" in
${withVerbs.map((noun) => `    ${noun.name})
      if (( COMP_CWORD == 2 )); then
        COMPREPLY=($(compgen -W ${quoted(noun.verbs.map((v) => v.name).join(' '))} -- "$cur"))
        return
      fi
      verb="\${COMP_WORDS[2]}" ;;`).join('\n')}
  esac
  case "$noun $verb" in
${commandCases.join('\n')}
  esac
  if [[ "$cur" == -* ]]; then
    COMPREPLY=($(compgen -W "$flags" -- "$cur"))
  elif [[ -n "$args" ]]; then
    COMPREPLY=($(compgen -W "$args" -- "$cur"))
  fi
}
complete -o default -F _forgecore_completion forgecore
`;
}

function zshScript(tree: readonly CompletionNode[]): string {
  // _describe takes "word:description"; a colon in the word would split it.
  const described = (name: string, summary: string) => quoted(`${name.replaceAll(':', '\\:')}:${summary}`);
  const withVerbs = tree.filter((noun) => noun.verbs.length > 0);
  const commandCases = commandsOf(tree).map(({ noun, verb, node }) => {
    const choiceCases = node.flags.filter((f) => f.choices).map((f) => `        --${f.name}) choices=(${f.choices!.map(quoted).join(' ')}); compadd -a choices; return ;;`);
    const valueFlags = node.flags.filter((f) => f.takesValue && !f.choices).map((f) => `--${f.name}`);
    const flagEntries = node.flags.flatMap((f) => [described(`--${f.name}`, f.description), ...(f.short ? [described(`-${f.short}`, f.description)] : [])]);
    return [
      `    ${quoted(`${noun.name} ${verb?.name ?? ''}`)})`,
      '      case ${words[CURRENT-1]} in',
      ...choiceCases,
      ...(valueFlags.length > 0 ? [`        ${valueFlags.join('|')}) _message 'value'; return ;;`] : []),
      '      esac',
      `      flags=(${flagEntries.join(' ')})`,
      `      args=(${node.argChoices.map(quoted).join(' ')})`,
      `      takes_path=${node.takesPath ? 1 : 0} ;;`,
    ].join('\n');
  });
  return `#compdef forgecore
# forgecore completion for zsh. Load it in this shell with: source <(forgecore completion zsh)
# or for every shell: forgecore completion zsh > "\${fpath[1]}/_forgecore" (then restart zsh)
_forgecore() {
  local -a nouns verbs flags choices args
  local noun=\${words[2]} verb='' takes_path=0
  if (( CURRENT == 2 )); then
    nouns=(${tree.map((n) => described(n.name, n.summary)).join(' ')})
    _describe -t commands 'forgecore command' nouns
    return
  fi
  case $noun in
${withVerbs.map((noun) => `    ${noun.name})
      if (( CURRENT == 3 )); then
        verbs=(${noun.verbs.map((v) => described(v.name, v.summary)).join(' ')})
        _describe -t commands 'forgecore ${noun.name} command' verbs
        return
      fi
      verb=\${words[3]} ;;`).join('\n')}
  esac
  case "$noun $verb" in
${commandCases.join('\n')}
  esac
  if [[ \${words[CURRENT]} == -* ]]; then
    _describe -t options 'flag' flags
  elif (( \${#args} )); then
    compadd -a args
  elif (( takes_path )); then
    _files
  fi
}
if [[ "\${funcstack[1]}" == _forgecore ]]; then
  _forgecore "$@"
else
  compdef _forgecore forgecore
fi
`;
}

function fishScript(tree: readonly CompletionNode[]): string {
  const lines = [
    '# forgecore completion for fish. Load it in this shell with: forgecore completion fish | source',
    '# or for every shell: forgecore completion fish > ~/.config/fish/completions/forgecore.fish',
    'complete -c forgecore -f',
  ];
  for (const noun of tree) {
    lines.push(`complete -c forgecore -n __fish_use_subcommand -a ${noun.name} -d ${quoted(noun.summary)}`);
    const verbNames = noun.verbs.map((v) => v.name).join(' ');
    for (const verb of noun.verbs) {
      lines.push(`complete -c forgecore -n ${quoted(`__fish_seen_subcommand_from ${noun.name}; and not __fish_seen_subcommand_from ${verbNames}`)} -a ${verb.name} -d ${quoted(verb.summary)}`);
    }
  }
  for (const { noun, verb, node } of commandsOf(tree)) {
    const condition = quoted(`__fish_seen_subcommand_from ${noun.name}${verb ? `; and __fish_seen_subcommand_from ${verb.name}` : ''}`);
    for (const flag of node.flags) {
      const value = flag.choices ? ` -x -a ${quoted(flag.choices.join(' '))}` : flag.takesValue ? ' -r' : '';
      lines.push(`complete -c forgecore -n ${condition} -l ${flag.name}${flag.short ? ` -s ${flag.short}` : ''}${value} -d ${quoted(flag.description)}`);
    }
    if (node.takesPath) lines.push(`complete -c forgecore -n ${condition} -F`);
    if (node.argChoices.length > 0) lines.push(`complete -c forgecore -n ${condition} -a ${quoted(node.argChoices.join(' '))}`);
  }
  return `${lines.join('\n')}\n`;
}
