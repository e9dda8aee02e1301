import { LIST_FIELDS, type Executor } from './api-types.ts';
import { JSON_FLAG, defineCommand } from './client-command.ts';
import { table } from './text-table.ts';

export const executors = defineCommand({
  noun: 'executors',
  verb: null,
  summary: 'List the agents the server can run: installed, available here, their versions, what to install',
  args: [],
  flags: {
    refresh: { type: 'boolean', description: 'detect every executor again first (after installing an agent CLI)' },
    ...JSON_FLAG,
  },
  example: 'forgecore executors --refresh',
  async run({ api, output }, { flags }) {
    const list = await api().call<{ items: Executor[] }>('GET', '/executors', { query: { refresh: flags.refresh || undefined }, expect: LIST_FIELDS });
    if (flags.json) {
      output.json(list);
      return 0;
    }
    if (list.items.length === 0) {
      output.print('No executors: no pack that gives one is loaded (forgecore plugins list says why).');
      return 0;
    }
    const { green, red } = output.style;
    const rows = list.items.map((e) => [
      e.id,
      e.available ? { text: 'yes', paint: green } : { text: 'no', paint: red },
      e.detectedVersion ?? '-',
      `${e.package}@${e.version}`,
      e.reason ?? e.displayName,
    ]);
    output.print(table(['EXECUTOR', 'AVAILABLE', 'VERSION', 'PACKAGE', 'WHAT TO INSTALL / ABOUT'], rows));
    return 0;
  },
});
