import type { CommandLine, ExecutorEvent, RunContext } from '@forge-core/sdk';
import { acpFlagForVersion, FIRST_VERSION_WITH_ACP_FLAG, type AcpFlag } from './acp-flag.ts';
import type { AcpFlagChoice } from './gemini-options.ts';
import { probeGeminiVersion } from './gemini-version-probe.ts';
import { knownVersion, rememberVersion } from './known-versions.ts';

const FIRST = FIRST_VERSION_WITH_ACP_FLAG.join('.');

/**
 * The flag a run starts gemini with: the acpFlag setting when it names one; for `auto`, the
 * flag for the version detect found for this command setting, or else for the version gemini
 * itself answers now (kept for the next run). A version that cannot be told gets `--acp`, with a
 * warning that names the setting. 'stopped' when the run was stopped while gemini answered.
 */
export async function* chooseAcpFlag(choice: AcpFlagChoice, setting: string, command: CommandLine, ctx: RunContext): AsyncGenerator<ExecutorEvent, AcpFlag | 'stopped'> {
  if (choice !== 'auto') return choice;
  let version = knownVersion(setting);
  if (version === undefined) {
    const probe = await probeGeminiVersion(ctx, command);
    if ('stopped' in probe) return 'stopped';
    if ('unknown' in probe) {
      yield { type: 'log', level: 'warn', text: `Could not tell the Gemini CLI version (${probe.unknown}); starting it with --acp. Set executors.gemini.acpFlag to choose the flag.` };
      return '--acp';
    }
    version = probe.version;
    rememberVersion(setting, version);
  }
  const flag = acpFlagForVersion(version) ?? '--acp';
  if (flag === '--experimental-acp') yield { type: 'log', level: 'info', text: `Gemini CLI ${version} predates --acp (${FIRST}), so it is started with --experimental-acp.` };
  return flag;
}
