import { definePack } from '@forge-core/sdk';
import { claudeCode } from './claude-code-executor.ts';

export { claudeCode };

export default definePack({ executors: [claudeCode] });
