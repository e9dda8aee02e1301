import { definePack } from '@forge-core/sdk';
import { amp } from './amp-executor.ts';

export { amp };

export default definePack({ executors: [amp] });
