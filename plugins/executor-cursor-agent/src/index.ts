import { definePack } from '@forge-core/sdk';
import { cursorAgent } from './cursor-agent-executor.ts';

export { cursorAgent };

export default definePack({ executors: [cursorAgent] });
