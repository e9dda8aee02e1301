import type Hapi from '@hapi/hapi';
import Joi from 'joi';
import { pendingPackChanges } from '../../plugins/pending-changes.ts';
import { registryOptions } from '../../plugins/registry-options.ts';
import { errorResponses, forgeOf, param } from '../route-helpers.ts';

const packName = Joi.string()
  .max(214)
  .pattern(/^(@[a-z0-9][a-z0-9._~-]*\/)?[a-z0-9][a-z0-9._~-]*$/)
  .messages({ 'string.pattern.base': '"name" must be an npm package name; URL-encode the "/" of a scoped name as %2F' });
const params = Joi.object({ name: packName.required() });

const packModel = Joi.object({
  name: Joi.string().required(),
  version: Joi.string().required(),
  source: Joi.string().valid('workspace', 'installed', 'local').required(),
  path: Joi.string().required(),
  status: Joi.string()
    .valid('loaded', 'unavailable', 'disabled', 'failed', 'notLoaded')
    .required()
    .description('What this server made of the pack at start; notLoaded: put on disk since, it loads at the next start'),
  error: Joi.object({ code: Joi.string().required(), message: Joi.string().required() }).allow(null).required(),
  executors: Joi.array().items(Joi.string()).required(),
  gitProviders: Joi.array().items(Joi.string()).required(),
  pending: Joi.string()
    .valid('install', 'remove', 'enable', 'disable')
    .allow(null)
    .required()
    .description('What the next start changes for this pack, read from disk now (installed, removed, enabled or disabled since this server started); null: nothing'),
}).label('Pack');

const changeModel = Joi.object({
  name: Joi.string().required(),
  version: Joi.string(),
  enabled: Joi.boolean(),
  restartRequired: Joi.boolean().valid(true).required().description('Packs load at start: restart the server to apply the change'),
}).label('PackChange');

export const pluginRoutes: Hapi.Plugin<void> = {
  name: 'forge-api-plugins',
  version: '1.0.0',
  register(server) {
    server.route([
      {
        method: 'GET',
        path: '/plugins',
        options: {
          tags: ['api', 'plugins'],
          description: 'Every pack this server found at start, its status, what it contributes, why it is not loaded, and what a restart would change',
          response: {
            schema: Joi.object({
              items: Joi.array().items(packModel).required(),
              restartRequired: Joi.boolean().required().description('Some pack has a pending change: restart the server to apply it'),
            }).label('PackList'),
          },
        },
        handler: (request) => {
          const forge = forgeOf(request);
          return pendingPackChanges(forge.registry.packs, registryOptions(forge.config));
        },
      },
      {
        method: 'POST',
        path: '/plugins',
        options: {
          tags: ['api', 'plugins'],
          description: 'Install a pack (npm install --ignore-scripts into $FORGE_HOME/plugins); it loads at the next start',
          validate: {
            payload: Joi.object({
              source: Joi.string()
                .trim()
                .min(1)
                .max(4096)
                .required()
                .description('An npm package name with an optional @version, or the absolute path of an npm pack tarball or of a pack folder'),
            }).label('InstallPack'),
          },
          response: { status: { 201: changeModel } },
          plugins: { forge: { errors: errorResponses(400, 422) } },
        },
        handler: async (request, h) => {
          const { source } = request.payload as { source: string };
          const pack = await forgeOf(request).plugins.add(source);
          return h.response({ ...pack, restartRequired: true }).code(201);
        },
      },
      {
        method: 'DELETE',
        path: '/plugins/{name}',
        options: {
          tags: ['api', 'plugins'],
          description: 'Uninstall a pack added with POST /plugins',
          validate: { params },
          response: { schema: changeModel },
          plugins: { forge: { errors: errorResponses(400, 404, 422) } },
        },
        handler: async (request) => {
          await forgeOf(request).plugins.remove(param(request, 'name'));
          return { name: param(request, 'name'), restartRequired: true };
        },
      },
      ...(['enable', 'disable'] as const).map(
        (action): Hapi.ServerRoute => ({
          method: 'POST',
          path: `/plugins/{name}/${action}`,
          options: {
            tags: ['api', 'plugins'],
            description: action === 'enable' ? 'Let a disabled pack load at the next start' : 'Keep a pack from loading at the next start',
            validate: { params },
            response: { schema: changeModel },
            plugins: { forge: { errors: errorResponses(400, 404) } },
          },
          handler: async (request) => {
            await forgeOf(request).plugins.setEnabled(param(request, 'name'), action === 'enable');
            return { name: param(request, 'name'), enabled: action === 'enable', restartRequired: true };
          },
        }),
      ),
    ]);
  },
};
