/** Git's own credential helper protocol, answered from the environment of one git command. */
const HELPER = [
  '!f() {',
  'test "$1" = get || exit 0;',
  'host=; protocol=;',
  'while IFS= read -r line && test -n "$line"; do case "$line" in host=*) host="${line#host=}";; protocol=*) protocol="${line#protocol=}";; esac; done;',
  'test "$host" = "$FORGE_GIT_HOST" && test "$protocol" = "$FORGE_GIT_PROTOCOL" || exit 0;',
  'printf "username=%s\\npassword=%s\\n" "$FORGE_GIT_USERNAME" "$FORGE_GIT_PASSWORD";',
  '}; f',
].join(' ');

/**
 * The environment that lets one git command authenticate to the remote at `url` with a token,
 * and nothing else. The configuration rides in GIT_CONFIG_COUNT/KEY/VALUE (git ≥ 2.31): not on
 * the command line, which any local user can read in the process list, and never in a config
 * file. The first helper entry, empty, clears the user's own helpers for this command, so no
 * credential store keeps the token; ours answers only for that URL's scheme, host and port, so a
 * redirect, another server or a downgrade to http never receives it. Hooks are off.
 */
export function pushCredentialEnvironment(url: string, username: string, token: string): Record<string, string> {
  const { protocol, host } = new URL(url);
  return {
    GIT_CONFIG_COUNT: '3',
    GIT_CONFIG_KEY_0: 'credential.helper',
    GIT_CONFIG_VALUE_0: '',
    GIT_CONFIG_KEY_1: 'credential.helper',
    GIT_CONFIG_VALUE_1: HELPER,
    GIT_CONFIG_KEY_2: 'core.hooksPath',
    GIT_CONFIG_VALUE_2: '/dev/null',
    // URL's host carries the port only when it is not the scheme's default, as git's does.
    FORGE_GIT_HOST: host,
    FORGE_GIT_PROTOCOL: protocol.replace(/:$/, ''),
    FORGE_GIT_USERNAME: username,
    FORGE_GIT_PASSWORD: token,
  };
}
