import { stat } from 'node:fs/promises';

/** Whether anything is at `path` (a symlink followed), or, asked for a directory, a folder. */
export async function pathExists(path: string, kind?: 'directory'): Promise<boolean> {
  return stat(path).then(
    (found) => kind === undefined || found.isDirectory(),
    () => false,
  );
}
