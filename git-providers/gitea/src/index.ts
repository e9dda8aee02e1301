import { definePack } from '@forge-core/sdk';
import { giteaProvider } from './gitea-provider.ts';

export { giteaProvider };

export default definePack({ gitProviders: [giteaProvider] });
