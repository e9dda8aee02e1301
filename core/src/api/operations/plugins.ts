import Joi from 'joi';
import { defineOperation } from './operation.ts';

const packName = Joi.string()
  .max(214)
  .pattern(/^(@[a-z0-9][a-z0-9._~-]*\/)?[a-z0-9][a-z0-9._~-]*$/)
  .messages({ 'string.pattern.base': '"name" must be an npm package name; URL-encode the "/" of a scoped name as %2F' });
const path = Joi.object({ name: packName.required() });
const tags = ['plugins'];

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

type PackName = { name: string };
export type InstallPackInput = { source: string };

export const getPlugins = defineOperation({
  kind: 'call',
  name: 'getPlugins',
  mcp: { notATool: "packs are installed and removed by a person; list_executors tells which agents can run" },
  summary: 'Every pack this server found at start, its status, what it contributes, why it is not loaded, and what a restart would change',
  tags,
  http: { method: 'GET', path: '/plugins', status: 200 },
  input: {},
  output: Joi.object({
    items: Joi.array().items(packModel).required(),
    restartRequired: Joi.boolean().required().description('Some pack has a pending change: restart the server to apply it'),
  }).label('PackList'),
  errors: [],
  handler: (_input: Record<string, never>, { services }) => services.packs.packs(),
});

export const postPlugins = defineOperation({
  kind: 'call',
  name: 'postPlugins',
  mcp: { notATool: "installing a pack runs npm and changes what the server loads: a person's decision, through the CLI or REST API" },
  summary: 'Install a pack (npm install --ignore-scripts into $FORGE_HOME/plugins); it loads at the next start',
  tags,
  http: { method: 'POST', path: '/plugins', status: 201 },
  input: {
    body: Joi.object({
      source: Joi.string()
        .trim()
        .min(1)
        .max(4096)
        .required()
        .description('An npm package name with an optional @version, or the absolute path of an npm pack tarball or of a pack folder'),
    }).label('InstallPack'),
  },
  output: changeModel,
  errors: ['FORGE_VALIDATION_FAILED', 'FORGE_UNPROCESSABLE', 'FORGE_PLUGIN_INSTALL_FAILED', 'FORGE_PLUGIN_MANIFEST_INVALID', 'FORGE_PLUGIN_SDK_INCOMPATIBLE'],
  handler: async ({ source }: InstallPackInput, { services }) => ({ ...(await services.plugins.add(source)), restartRequired: true }),
});

export const deletePluginsByName = defineOperation({
  kind: 'call',
  name: 'deletePluginsByName',
  mcp: { notATool: "removing a pack changes what the server loads: a person's decision, through the CLI or REST API" },
  summary: 'Uninstall a pack added with POST /plugins',
  tags,
  http: { method: 'DELETE', path: '/plugins/{name}', status: 200 },
  input: { path },
  output: changeModel,
  errors: ['FORGE_VALIDATION_FAILED', 'FORGE_NOT_FOUND', 'FORGE_PLUGIN_INSTALL_FAILED'],
  handler: async ({ name }: PackName, { services }) => {
    await services.plugins.remove(name);
    return { name, restartRequired: true };
  },
});

const toggle = (enabled: boolean) =>
  defineOperation({
    kind: 'call',
    name: enabled ? 'postPluginsByNameEnable' : 'postPluginsByNameDisable',
    mcp: { notATool: "which packs load is a person's decision, through the CLI or REST API" },
    summary: enabled ? 'Let a disabled pack load at the next start' : 'Keep a pack from loading at the next start',
    tags,
    http: { method: 'POST', path: `/plugins/{name}/${enabled ? 'enable' : 'disable'}`, status: 200 },
    input: { path },
    output: changeModel,
    errors: ['FORGE_VALIDATION_FAILED', 'FORGE_NOT_FOUND'],
    handler: async ({ name }: PackName, { services }) => {
      await services.plugins.setEnabled(name, enabled);
      return { name, enabled, restartRequired: true };
    },
  });

export const postPluginsByNameEnable = toggle(true);
export const postPluginsByNameDisable = toggle(false);

export const pluginOperations = [getPlugins, postPlugins, deletePluginsByName, postPluginsByNameEnable, postPluginsByNameDisable];
