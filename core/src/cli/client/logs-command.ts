import { LOG_PAGE_FIELDS, type LogPage } from './api-types.ts';
import { finishFollowing, followAttempt } from './attempt-follower.ts';
import { FOLLOW_FLAG, defineCommand } from './client-command.ts';
import { LogEntryText } from './log-entry-text.ts';

// Entries a page, the API's maximum: a long log is read in few requests.
const PAGE = 1_000;

export const logs = defineCommand({
  noun: 'logs',
  verb: null,
  summary: "Print an attempt's log: the agent's messages, tool calls, command output, file changes",
  args: ['<attemptId>'],
  flags: {
    ...FOLLOW_FLAG,
    json: { type: 'boolean', description: "print each entry as the API's JSON, one a line (JSON lines), nothing else" },
  },
  example: 'forgecore logs -f 0190f1c4-…',
  async run({ api, output, forgecore }, { args, flags }) {
    const attemptId = args[0]!;
    if (flags.follow) {
      const ended = await followAttempt(api(), attemptId, output, { after: 0, json: flags.json === true, forgecore });
      return finishFollowing(ended, output, { json: flags.json === true, forgecore });
    }
    const text = new LogEntryText(output.style, forgecore);
    for (let after: number | null = 0; after !== null; ) {
      const page: LogPage = await api().call<LogPage>('GET', `/attempts/${encodeURIComponent(attemptId)}/logs`, { query: { after, limit: PAGE }, expect: LOG_PAGE_FIELDS });
      for (const entry of page.items) {
        if (flags.json) output.jsonLine(entry);
        else {
          const shown = text.render(entry);
          if (shown !== null) output.print(shown);
        }
      }
      after = page.nextAfter;
    }
    return 0;
  },
});
