/** Git's own credential helper protocol, answered from the environment of one git process. */
const HELPER = [
  '!f() {',
  'test "$1" = get || exit 0;',
  'host=;',
  'while IFS= read -r line && test -n "$line"; do case "$line" in host=*) host="${line#host=}";; esac; done;',
  'test "${host%:*}" = "$FORGE_GIT_HOST" || exit 0;',
  'printf "username=%s\\npassword=%s\\n" "$FORGE_GIT_USERNAME" "$FORGE_GIT_PASSWORD";',
  '}; f',
].join(' ');

/**
 * The environment that lets one git command authenticate to `host` over https with a token,
 * and nothing else. The configuration rides in GIT_CONFIG_COUNT/KEY/VALUE (git ≥ 2.31), not on
 * the command line, which any local user can read in the process list, and never in
 * `.git/config`. The first helper entry, empty, clears the user's own helpers for this command,
 * so no credential store keeps the token; the second answers only for `host` (any port), so a
 * redirect or another remote never receives it.
 */
export function pushCredentialEnvironment(host: string, username: string, token: string): Record<string, string> {
  return {
    GIT_CONFIG_COUNT: '2',
    GIT_CONFIG_KEY_0: 'credential.helper',
    GIT_CONFIG_VALUE_0: '',
    GIT_CONFIG_KEY_1: 'credential.helper',
    GIT_CONFIG_VALUE_1: HELPER,
    FORGE_GIT_HOST: host,
    FORGE_GIT_USERNAME: username,
    FORGE_GIT_PASSWORD: token,
  };
}
