import assert from 'node:assert/strict';
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ForgeError } from '@forge-core/sdk';
import { credentialsInUrl, redactCredentials, redactValues, withoutUrlCredentials } from '../src/runtime/redact-credentials.ts';
import { SecretBox } from '../src/store/secret-box.ts';
import { tempDir } from './support/temp-dir.ts';

describe('credentials', () => {
  describe('withoutUrlCredentials', () => {
    const cases: Array<[string, string, string]> = [
      ['http user and password', 'http://user:secret@host/x.git', 'http://host/x.git'],
      ['https lone token user', 'https://ghp_abc123@github.com/o/r.git', 'https://github.com/o/r.git'],
      ['https with a port', 'https://x-access-token:tok@git.example.com:8443/o/r.git', 'https://git.example.com:8443/o/r.git'],
      ['upper-case scheme', 'HTTPS://u:p@host/r', 'HTTPS://host/r'],
      ['git+https', 'git+https://tok@host/r.git', 'git+https://host/r.git'],
      ['an @ inside the password', 'https://u:p@ss@host/r', 'https://host/r'],
      ['https without credentials', 'https://github.com/o/r.git', 'https://github.com/o/r.git'],
      ['an @ in the path only', 'https://host/o/r@v1.git', 'https://host/o/r@v1.git'],
      ['ssh keeps its user', 'ssh://git@host/x.git', 'ssh://git@host/x.git'],
      ['ssh loses a password', 'ssh://git:pw@host:2222/x.git', 'ssh://git@host:2222/x.git'],
      ['ssh with only a password', 'ssh://:pw@host/x.git', 'ssh://host/x.git'],
      ['scp-like keeps its user', 'git@github.com:o/r.git', 'git@github.com:o/r.git'],
      ['scp-like loses a password', 'git:pw@github.com:o/r.git', 'git@github.com:o/r.git'],
      ['a local path', '/srv/git/r.git', '/srv/git/r.git'],
      ['a file URL', 'file:///srv/git/r.git', 'file:///srv/git/r.git'],
      ['a token in the query', 'https://u:p@host:8443/x.git?access_token=tok6', 'https://host:8443/x.git'],
      ['a query and a fragment', 'https://host/x.git?private_token=t#frag', 'https://host/x.git'],
    ];
    for (const [name, url, kept] of cases) {
      it(`${name}: ${url} → ${kept}`, () => assert.equal(withoutUrlCredentials(url), kept));
    }
  });

  describe('credentialsInUrl', () => {
    const cases: Array<[string, string[]]> = [
      ['http://user:secret@host/x.git', ['secret']],
      ['https://ghp_0123456789abcdefghij0123@github.com/o/r.git', ['ghp_0123456789abcdefghij0123']],
      ['https://deploy@host/r.git', []],
      ['https://u:p%40ss%2Fword@host/r', ['p%40ss%2Fword', 'p@ss/word']],
      ['https://host/x.git?access_token=tok-666&x=1', ['tok-666']],
      ['ssh://git:pw12@host/x.git', ['pw12']],
      ['git:pw1234@github.com:o/r.git', ['pw1234']],
      ['git@github.com:o/r.git', []],
      ['/srv/git/r.git', []],
    ];
    for (const [url, credentials] of cases) {
      it(`${url} → ${JSON.stringify(credentials)}`, () => assert.deepEqual(credentialsInUrl(url), credentials));
    }
  });

  describe('redactCredentials', () => {
    it('masks tokens in query strings as well as userinfo', () => {
      assert.equal(
        redactCredentials("fatal: unable to access 'https://u:pw@host/x.git?access_token=abc&ref=main': 403"),
        "fatal: unable to access 'https://***@host/x.git?access_token=[redacted]&ref=main': 403",
      );
    });
  });

  describe('redactValues', () => {
    it('leaves values too short to be secrets alone (an MCP server’s DEBUG=1 would garble the log)', () => {
      assert.deepEqual(redactValues({ status: 'succeeded', n: '1 of 1' }, ['1', 'e', 'token-4f2a']), { status: 'succeeded', n: '1 of 1' });
    });

    it('replaces every secret in every string, key and nested value, longest first', () => {
      const payload = { text: 'key sk-12345 and sk-123', list: ['sk-12345', 3, null], nested: { 'sk-123': true } };
      assert.deepEqual(redactValues(payload, ['sk-123', 'sk-12345']), {
        text: 'key [redacted] and [redacted]',
        list: ['[redacted]', 3, null],
        nested: { '[redacted]': true },
      });
    });

    it('also replaces a secret as JSON escapes it (an agent printing its configuration)', () => {
      const secret = 'tok\\en"quoted-0123';
      const printed = JSON.stringify({ headers: { Authorization: `Bearer ${secret}` } });
      assert.equal(redactValues({ text: printed }, [secret]).text, '{"headers":{"Authorization":"Bearer [redacted]"}}');
    });

    it('leaves the value itself when there is nothing to redact, and ignores an empty secret', () => {
      const payload = { text: 'plain' };
      assert.equal(redactValues(payload, []), payload);
      assert.equal(redactValues(payload, ['']), payload);
    });
  });

  describe('SecretBox', () => {
    let dir: ReturnType<typeof tempDir>;
    let keyFile: string;

    beforeEach(() => {
      dir = tempDir('forge-secret-box-');
      keyFile = join(dir.path, 'home', 'secret.key');
    });

    afterEach(() => dir.cleanup());

    const unavailable = (pattern: RegExp) => (error: unknown) =>
      error instanceof ForgeError && error.code === 'FORGE_SECRETS_UNAVAILABLE' && pattern.test(error.message);

    it('makes its key on first use only, readable by this user alone, and opens what it sealed', () => {
      const box = new SecretBox(keyFile);
      assert.equal(existsSync(keyFile), false, 'no key before anything is sealed');
      const sealed = box.seal('sk-live-0123456789', 'attempt-1');
      assert.equal(statSync(keyFile).mode & 0o777, 0o600);
      assert.equal(Buffer.from(readFileSync(keyFile, 'utf8').trim(), 'base64').length, 32);
      assert.ok(!sealed.includes('sk-live'), 'the sealed form does not show the value');
      assert.notEqual(box.seal('sk-live-0123456789', 'attempt-1'), sealed, 'a fresh IV each time');
      assert.equal(new SecretBox(keyFile).open(sealed, 'attempt-1'), 'sk-live-0123456789', 'a second box reads the same key');
    });

    it('refuses a value moved to another row, altered, or sealed under another key', () => {
      const box = new SecretBox(keyFile);
      const sealed = box.seal('value', 'attempt-1');
      assert.throws(() => box.open(sealed, 'attempt-2'), unavailable(/not the one they were sealed with, or they were altered/));
      const [format, iv, tag, body] = sealed.split(':') as [string, string, string, string];
      const flipped = Buffer.from(body, 'base64');
      flipped[0]! ^= 1;
      assert.throws(() => box.open([format, iv, tag, flipped.toString('base64')].join(':'), 'attempt-1'), unavailable(/altered/));
      assert.throws(() => box.open([format, iv, tag.slice(0, 8), body].join(':'), 'attempt-1'), unavailable(/altered/));
      assert.throws(() => box.open('plaintext', 'attempt-1'), unavailable(/not in a format/));
      const other = new SecretBox(join(dir.path, 'other.key'));
      assert.throws(() => other.open(sealed, 'attempt-1'), unavailable(/not the one/));
    });

    it('names the file and the fix when the key file is malformed', () => {
      writeFileSync(join(dir.path, 'short.key'), 'c2hvcnQ=\n');
      assert.throws(
        () => new SecretBox(join(dir.path, 'short.key')).seal('x', 'a'),
        unavailable(/short\.key must hold 32 bytes in base64 \(as "openssl rand -base64 32" prints\); it holds 5/),
      );
    });
  });
});
