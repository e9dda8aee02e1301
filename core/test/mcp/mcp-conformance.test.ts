import assert from 'node:assert/strict';
import { startServerWithProject, type ServerWithProject } from '../support/test-server.ts';
import { REVISIONS, runConformance, type ConformanceRun, type Revision } from './conformance/run-conformance.ts';

/**
 * The official MCP conformance suite against /mcp, for the server scenarios of both revisions.
 * Most of its scenarios call the fixtures of the SDK's reference test server (tools named
 * test_simple_text, prompts, test:// resources, …) that a real server does not have. So: the
 * protocol scenarios must pass, and every other failure must be one of "that fixture or feature
 * is not here"; any other failure is a defect. The passed / run counts are printed.
 */
const MUST_PASS: Record<Revision, string[]> = {
  '2025-11-25': ['server-initialize', 'ping', 'tools-list', 'resources-list', 'prompts-list', 'dns-rebinding-protection', 'server-sse-multiple-streams'],
  '2026-07-28': [
    'tools-list',
    'resources-list',
    'prompts-list',
    'caching',
    'dns-rebinding-protection',
    'server-sse-multiple-streams',
    'sep-2164-resource-not-found',
    'input-required-result-unsupported-methods',
    'http-header-validation',
  ],
};

// What a failure says when the scenario needs something this server does not serve: a fixture
// tool, prompt or resource of the reference server, prompts, completions, logging, the tasks
// extension, or a tool that answers input_required.
const NOT_SERVED = [
  /Unknown tool: (test_|json_schema|slow_compute|greet|failing_job|confirm_delete|multi_input|protocol_error_job)/,
  /Unknown prompt: test_/,
  /Tool '\w+' not found/,
  /Resource not found: test:\/\//,
  /Method not found|-32601/,
  /^Not testable/,
  /^Prerequisite failed/,
  /Expected InputRequiredResult/,
  /capabilities\.extensions MUST be advertised/,
  /routing-task fixture/,
  /spec requires -32021/,
];

describe('MCP conformance suite (@modelcontextprotocol/conformance) against /mcp', function () {
  this.timeout(600_000);
  let setup: ServerWithProject;
  before(async () => {
    setup = await startServerWithProject();
  });
  after(async () => setup?.close());

  for (const revision of Object.keys(REVISIONS) as Revision[]) {
    it(`passes the protocol scenarios of ${revision}, and fails others only for fixtures this server does not serve`, async () => {
      // The suite's DNS-rebinding scenario needs a loopback *name* in the URL.
      const result = await runConformance(`${setup.server.url.replace('127.0.0.1', 'localhost')}/mcp`, revision);
      report(result);
      const byName = new Map(result.scenarios.map((scenario) => [scenario.name, scenario]));
      for (const name of MUST_PASS[revision]) assert.equal(byName.get(name)?.status, 'passed', `${name}: ${JSON.stringify(byName.get(name)?.problems)}`);
      const unexplained = result.scenarios.flatMap((scenario) =>
        scenario.problems
          .filter((problem) => problem.status === 'FAILURE' && !NOT_SERVED.some((pattern) => pattern.test(problem.message)))
          .map((problem) => `${scenario.name} / ${problem.id}: ${problem.message}`),
      );
      assert.deepEqual(unexplained, [], 'failures that are not about a missing fixture');
    });
  }
});

function report(result: ConformanceRun): void {
  const counted = result.scenarios.filter((scenario) => !scenario.scored);
  console.log(
    `      ${result.suite}, revision ${result.revision}: ${result.passed}/${result.run} scenarios passed` +
      (counted.length ? ` (and ${counted.filter((s) => s.status === 'passed').length}/${counted.length} it runs without scoring)` : ''),
  );
  console.log(`      passed: ${result.scenarios.filter((s) => s.status === 'passed').map((s) => s.name).join(', ')}`);
}
