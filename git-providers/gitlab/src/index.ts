import { definePack } from '@forge-core/sdk';
import { gitlab } from './gitlab-provider.ts';

export { gitlab };
export default definePack({ gitProviders: [gitlab] });
