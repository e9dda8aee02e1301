import type { PackLogger } from '../context.ts';

/** A PackLogger that keeps every line as "level: text", for tests to read back. */
export function createRecordingLogger(): { log: PackLogger; logged: string[] } {
  const logged: string[] = [];
  const write = (level: keyof PackLogger) => (text: string) => void logged.push(`${level}: ${text}`);
  return { log: { debug: write('debug'), info: write('info'), warn: write('warn'), error: write('error') }, logged };
}
