import { definePack } from '@forge-core/sdk';
import { github } from './github-provider.ts';

export { github } from './github-provider.ts';

export default definePack({ gitProviders: [github] });
