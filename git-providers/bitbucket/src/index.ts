import { definePack } from '@forge-core/sdk';
import { bitbucket } from './bitbucket-provider.ts';

export { bitbucket };

export default definePack({ gitProviders: [bitbucket] });
