import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';
const home = mkdtempSync(join(tmpdir(), 'burst-'));
const repo = join(home, 'repo'); execFileSync('sh', ['-c', `mkdir -p ${repo} && cd ${repo} && git init -q -b main && echo a > a && git add . && git -c user.email=a@b -c user.name=a commit -qm i`]);
const port = 18990;
const child = spawn(process.execPath, [...(process.env.PROF ? ['--cpu-prof', '--cpu-prof-dir=/tmp/prof'] : []), '/work/main/core/bin/forge.js', 'serve'], { env: { ...process.env, FORGE_HOME: home, FORGE_PORT: String(port), FORGE_LOG_LEVEL: 'warn', FORGE_MAX_CONCURRENT_ATTEMPTS: process.env.CAP ?? '50' }, stdio: 'inherit' });
const B = `http://127.0.0.1:${port}/api/v1`;
for (;;) { try { if ((await fetch(B + '/health')).ok) break; } catch {} await new Promise(r => setTimeout(r, 50)); }
const post = async (p: string, b: unknown) => (await fetch(B + p, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(b) })).json();
const project: any = await post('/projects', { name: 'p', repoPath: repo });
for (let round = 0; round < 3; round++) {
  const tasks = await Promise.all(Array.from({ length: 50 }, (_, i) => post('/tasks', { projectId: project.id, title: `t${i}` })));
  const t0 = performance.now();
  const lat = await Promise.all(tasks.map(async (t: any) => { const s = performance.now(); await post(`/tasks/${t.id}/attempts`, { executor: 'script', options: { command: 'true' } }); return performance.now() - s; }));
  lat.sort((a, b) => a - b);
  console.log(`round ${round}: p50 ${lat[25]!.toFixed(1)} p95 ${lat[47]!.toFixed(1)} max ${lat[49]!.toFixed(1)} total ${(performance.now() - t0).toFixed(1)}`);
  await new Promise(r => setTimeout(r, Number(process.env.GAP ?? 1500)));
}
child.kill('SIGINT'); await new Promise(r => child.once('exit', r));
