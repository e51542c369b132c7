/**
 * The bundled `nas` for the CLI tests (npm test builds it first): `nas` runs bin/nas.cjs in a
 * child process, for what needs a process (exit codes through the launcher, signals, pipes,
 * the code cache, which bundle loads); `nasInProcess` calls the same bundle's `runCli` in this
 * process, for the bulk of the cases, where output and exit code are what is checked. A child
 * process costs about half a second of CPU to start and parse the standard library with a cold
 * parser; here only the command's own work is paid (docs/adr/0026-test-command-time.md).
 */
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import { createRequire } from 'node:module';
import * as os from 'node:os';
import * as path from 'node:path';

export const ROOT = path.resolve(import.meta.dirname, '../..');
export const BIN = path.join(ROOT, 'bin/nas.cjs');

export interface NasResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * Runs `nas args` in `cwd`. The timeout guards a test run against a hang; it bounds no speed
 * (a hung command ends with `code` null, which no test expects).
 */
export function nas(args: string[], cwd = ROOT, timeoutMs = 120_000): NasResult {
  const r = spawnSync(process.execPath, [BIN, ...args], { cwd, encoding: 'utf8', timeout: timeoutMs });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

interface CliBundle {
  runCli(argv: string[]): Promise<number>;
}

const require = createRequire(import.meta.url);
const CLI_BUNDLE = path.join(ROOT, 'dist/cli.cjs');
/** Bundles that must not load in a test's process: tfjs keeps one engine per process. */
const CHILD_ONLY_BUNDLES = [path.join(ROOT, 'dist/cli-train.cjs')];
let queue: Promise<unknown> = Promise.resolve();

/**
 * Runs `nas args` as bin/nas.cjs would, in this process (dist/cli.cjs's `runCli`), with the
 * working folder `cwd`, and gives what it wrote and its exit code. Runs one at a time: the
 * working folder, the exit code and the output streams are the process's. A command that would
 * load the training engine, or leave a signal handler behind, fails the test: run it with `nas`.
 */
export function nasInProcess(args: string[], cwd = ROOT): Promise<NasResult> {
  const run = queue.then(() => runInProcess(args, cwd));
  queue = run.catch(() => undefined);
  return run;
}

async function runInProcess(args: string[], cwd: string): Promise<NasResult> {
  const cli = require(CLI_BUNDLE) as CliBundle;
  const out: string[] = [];
  const err: string[] = [];
  const capture =
    (into: string[]) =>
    (chunk: string | Uint8Array, encoding?: BufferEncoding | ((e?: Error | null) => void), done?: (e?: Error | null) => void): boolean => {
      into.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8'));
      (typeof encoding === 'function' ? encoding : done)?.();
      return true;
    };
  const { stdout, stderr } = process;
  const writeOut = stdout.write;
  const writeErr = stderr.write;
  const exitCode = process.exitCode;
  const folder = process.cwd();
  const sigint = process.listenerCount('SIGINT');
  process.exitCode = undefined;
  stdout.write = capture(out) as typeof stdout.write;
  stderr.write = capture(err) as typeof stderr.write;
  let code: number;
  try {
    process.chdir(cwd);
    code = await cli.runCli(args);
  } finally {
    stdout.write = writeOut;
    stderr.write = writeErr;
    process.chdir(folder);
    process.exitCode = exitCode;
  }
  const loaded = CHILD_ONLY_BUNDLES.filter((b) => require.cache[b]);
  if (loaded.length) throw new Error(`nas ${args.join(' ')} loaded ${loaded.join(', ')} into the test's process: run it with nas(), in a child process`);
  if (process.listenerCount('SIGINT') !== sigint) throw new Error(`nas ${args.join(' ')} left a SIGINT handler: run it with nas(), in a child process`);
  return { code, stdout: out.join(''), stderr: err.join('') };
}

/** A fresh temporary folder. */
export function tempFolder(prefix = 'nas-cli-'): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

/** Runs a command in a child process without blocking the test's event loop; `input` goes to its stdin. */
export function runProcess(
  cmd: string,
  args: string[],
  options: { cwd?: string; env?: NodeJS.ProcessEnv; input?: string } = {},
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const p = spawn(cmd, args, { cwd: options.cwd ?? ROOT, env: options.env ?? process.env });
    let stdout = '';
    let stderr = '';
    p.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    p.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    p.on('error', reject);
    p.on('close', (code) => resolve({ code, stdout, stderr }));
    if (options.input !== undefined) p.stdin.end(options.input);
  });
}
