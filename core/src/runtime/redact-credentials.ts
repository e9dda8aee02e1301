/**
 * Credentials a child process may echo in its output (git with a remote URL, npm with a registry
 * token) taken out before the text reaches a log or a response: user:password in URLs,
 * npm's `_authToken=` style settings, and HTTP authorization values.
 */
export function redactCredentials(text: string): string {
  return text
    .replace(/(\w+:\/\/)[^/@\s]+@/g, '$1***@')
    .replace(/(_authToken|_auth|_password)=\S+/gi, '$1=[redacted]')
    .replace(/(Bearer|Basic) [A-Za-z0-9._~+/=-]+/g, '$1 [redacted]');
}
