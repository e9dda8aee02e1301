import assert from 'node:assert/strict';
import { join } from 'node:path';
import { writeFileSync } from 'node:fs';
import { ConfigError, loadConfig } from '../src/config/config.ts';
import { tempDir } from './support/temp-dir.ts';
import { startTestServer } from './support/test-server.ts';

describe('configuration', () => {
  let home: ReturnType<typeof tempDir>;
  beforeEach(() => (home = tempDir('forge-config-')));
  afterEach(() => home.cleanup());

  it('works with nothing set: loopback, port 8887, everything under FORGE_HOME', () => {
    const config = loadConfig({ FORGE_HOME: home.path });
    assert.equal(config.host, '127.0.0.1');
    assert.equal(config.port, 8887);
    assert.equal(config.databaseUrl, join(home.path, 'forge.sqlite'));
    assert.equal(config.worktreesDir, join(home.path, 'worktrees'));
  });

  it('takes the config file, with the environment winning over it', () => {
    writeFileSync(join(home.path, 'config.json'), JSON.stringify({ port: 9000, maxConcurrentAttempts: 3 }));
    const config = loadConfig({ FORGE_HOME: home.path, FORGE_PORT: '9100' });
    assert.equal(config.port, 9100);
    assert.equal(config.maxConcurrentAttempts, 3);
  });

  it('refuses to bind beyond loopback without an API token', () => {
    assert.throws(() => loadConfig({ FORGE_HOME: home.path, FORGE_HOST: '0.0.0.0' }), (error: Error) => {
      assert.ok(error instanceof ConfigError);
      assert.match(error.message, /FORGE_API_TOKEN/);
      return true;
    });
    assert.equal(loadConfig({ FORGE_HOME: home.path, FORGE_HOST: '0.0.0.0', FORGE_API_TOKEN: 'x'.repeat(32) }).host, '0.0.0.0');
  });

  it('names each invalid setting and where it came from', () => {
    assert.throws(() => loadConfig({ FORGE_HOME: home.path, FORGE_PORT: 'eighty', FORGE_MAX_CONCURRENT_ATTEMPTS: '0' }), /port.*maxConcurrentAttempts|maxConcurrentAttempts.*port/s);
    writeFileSync(join(home.path, 'config.json'), '{not json');
    assert.throws(() => loadConfig({ FORGE_HOME: home.path }), /config\.json/);
  });

  it('reads gitHosts by lower-case host name, and refuses a port in the key or a token in the API URL without quoting it', () => {
    const withHosts = (gitHosts: unknown) => {
      writeFileSync(join(home.path, 'config.json'), JSON.stringify({ gitHosts }));
      return () => loadConfig({ FORGE_HOME: home.path });
    };
    assert.deepEqual(withHosts({ 'Git.Example.COM': { provider: 'gitlab', tokenEnv: 'EXAMPLE_TOKEN' } })().gitHosts, { 'git.example.com': { provider: 'gitlab', tokenEnv: 'EXAMPLE_TOKEN' } });
    assert.throws(withHosts({ 'git.example.com:8443': { provider: 'gitlab' } }), /gitHosts key "git\.example\.com:8443" must be a host name alone.*a port goes into its apiUrl/);
    for (const apiUrl of ['https://git.example.com/api/v4?private_token=glpat-SECRET123', 'https://oauth2:glpat-SECRET123@git.example.com/api/v4', 'https://git.example.com/api/v4#glpat-SECRET123']) {
      assert.throws(withHosts({ 'git.example.com': { apiUrl } }), (error: Error) => /must have no user, password, query or fragment/.test(error.message) && !error.message.includes('SECRET123'));
    }
    assert.throws(withHosts({ 'git.example.com': { token: 'a-token-of-16-chars', tokenEnv: 'X' } }), /token.*tokenEnv|conflict/);
  });
});

describe('API token', () => {
  it('requires the bearer token on every route but health, and never echoes it', async () => {
    const token = 'secret-token-0123456789abcdef';
    const server = await startTestServer({ FORGE_API_TOKEN: token });
    try {
      assert.equal((await server.request('GET', '/health')).status, 200);
      const denied = await server.request('GET', '/projects');
      assert.equal(denied.status, 401);
      assert.equal(denied.body.error.code, 'FORGE_UNAUTHORIZED');
      assert.equal((await server.request('GET', '/projects', undefined, { authorization: 'Bearer wrong' })).status, 401);
      const allowed = await server.request('GET', '/projects', undefined, { authorization: `Bearer ${token}` });
      assert.equal(allowed.status, 200);
      // The scheme is case-insensitive; the token is not, and nothing may follow it.
      assert.equal((await server.request('GET', '/projects', undefined, { authorization: `bearer ${token}` })).status, 200);
      assert.equal((await server.request('GET', '/projects', undefined, { authorization: `BEARER  ${token}` })).status, 200);
      assert.equal((await server.request('GET', '/projects', undefined, { authorization: `Bearer ${token.toUpperCase()}` })).status, 401);
      assert.equal((await server.request('GET', '/projects', undefined, { authorization: `Basic ${token}` })).status, 401);
      assert.equal((await server.request('GET', '/projects', undefined, { authorization: `Bearer ${token}x` })).status, 401);
      assert.ok(!JSON.stringify(denied.body).includes(token));
    } finally {
      await server.close();
    }
  });
});
