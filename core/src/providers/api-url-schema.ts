import Joi from 'joi';

/**
 * A code host's REST API root as configuration and projects give it: http(s), with no user,
 * password, query or fragment, which is where tokens get pasted; tokens belong in `gitHosts`.
 */
export const apiUrlSchema = Joi.string()
  .uri({ scheme: ['http', 'https'] })
  .max(1000)
  .pattern(/^[a-z]+:\/\/[^/@]*@|[?#]/i, { invert: true })
  // The value is not quoted back: it may hold the very token it should not.
  .messages({ 'string.pattern.invert.base': '{{#label}} must have no user, password, query or fragment; a token belongs in the server configuration (gitHosts.<host>.token or .tokenEnv)' });
