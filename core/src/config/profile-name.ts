/** What an executor profile's name looks like: it appears in URLs and in attempt requests. */
export const PROFILE_NAME_PATTERN = /^[a-z0-9][a-z0-9._-]{0,63}$/;
