import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';

const ROOT = resolve(__dirname, '../..');
export const CLI = resolve(ROOT, 'bin/switchyard.js');

export interface CliRun {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Runs the built CLI as a user would; `onStart` gets a SIGKILL for crash tests. */
export function runCli(
  args: string[],
  env: NodeJS.ProcessEnv = {},
  onStart?: (kill: () => void) => void,
): Promise<CliRun> {
  if (!existsSync(resolve(ROOT, 'dist/src/cli/main.js')))
    throw new Error('dist/ is missing: run npm run build (npm ci does)');
  return new Promise((done) => {
    const child = spawn(process.execPath, [CLI, ...args], {
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('exit', (code, signal) => done({ code, signal, stdout, stderr }));
    onStart?.(() => child.kill('SIGKILL'));
  });
}
