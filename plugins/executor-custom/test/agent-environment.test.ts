import assert from 'node:assert/strict';
import { agentEnvironment } from '../src/agent-environment.ts';

describe('agent environment', () => {
  const hostEnv = { OPENAI_API_KEY: 'sk-host', http_proxy: 'http://proxy:3128', EMPTY: '' };

  it("hands over the server's variables passEnv names, and warns about those the server lacks", () => {
    const result = agentEnvironment({ passEnv: ['OPENAI_API_KEY', 'http_proxy', 'EMPTY', 'NOT_THERE', 'OPENAI_API_KEY'], token: undefined, tokenEnv: undefined }, hostEnv);
    assert.deepEqual(result.env, { OPENAI_API_KEY: 'sk-host', http_proxy: 'http://proxy:3128', EMPTY: '' });
    assert.deepEqual(result.problems, []);
    assert.deepEqual(result.warnings, ["passEnv names NOT_THERE, but the server's environment has no NOT_THERE; the agent runs without it"]);
  });

  it('sets the token in the variable tokenEnv names, over a passed variable of the same name', () => {
    const result = agentEnvironment({ passEnv: ['OPENAI_API_KEY'], token: 'sk-profile', tokenEnv: 'OPENAI_API_KEY' }, hostEnv);
    assert.deepEqual(result.env, { OPENAI_API_KEY: 'sk-profile' });
    assert.deepEqual([...result.problems, ...result.warnings], []);
  });

  it('refuses a token with no variable to put it in, and a passEnv entry that is not a variable name', () => {
    const result = agentEnvironment({ passEnv: ['NOT A NAME'], token: 'sk', tokenEnv: undefined }, hostEnv);
    assert.equal(result.problems.length, 2);
    assert.match(result.problems[0] ?? '', /"NOT A NAME", which is not an environment variable name/);
    assert.match(result.problems[1] ?? '', /token is set but tokenEnv is not/);
    assert.deepEqual(result.env, {});
  });

  it('warns when tokenEnv is given without a token', () => {
    assert.deepEqual(agentEnvironment({ passEnv: [], token: undefined, tokenEnv: 'OPENAI_API_KEY' }, hostEnv).warnings, [
      'tokenEnv is OPENAI_API_KEY but no token is set, so the agent gets no OPENAI_API_KEY from this profile',
    ]);
  });
});
