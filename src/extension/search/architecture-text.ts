/**
 * A trial's architecture as readable `.nas` text, from its record or from the CLI in a child
 * process (`nas sample FILE --space S --arch ENCODING`): the extension talks to the core only
 * through the language server or a child process. Free of the vscode API.
 */
import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { RunManifest } from '../../protocol/dashboard.js';
import type { TrialRecord } from '../../protocol/search-events.js';

export interface CliLauncher {
  node: string;
  /** bin/nas.cjs */
  cli: string;
}

/**
 * A trial's readable `.nas` text (`network X = Space with { ... }`): the one its record carries
 * (imports relative to the run directory), else, for runs recorded before records carried it,
 * the CLI's (an absolute import). Either checks clean in an editor opened in the run directory
 * (trialDocumentPath), saved or not: the language server resolves imports of unsaved editors.
 */
export async function architectureText(cli: CliLauncher, manifest: RunManifest, trial: TrialRecord): Promise<string> {
  if (trial.nas !== undefined) return trial.nas;
  const text = await runCli(cli, ['sample', manifest.file, '--space', manifest.space, '--arch', trial.encoding, '--json']).then((stdout) => {
    try {
      const [sample] = JSON.parse(stdout) as { text: string }[];
      return sample!.text;
    } catch (e) {
      throw new Error(`nas sample printed no architecture (${(e as Error).message})`);
    }
  });
  return `# trial ${trial.trial} of search ${manifest.search}\n${text}`;
}

/** Runs `nas ARGS...` and resolves with its stdout; rejects with its stderr. */
export function runCli(cli: CliLauncher, args: readonly string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(
      cli.node,
      [cli.cli, ...args],
      { env: { ...process.env, ELECTRON_RUN_AS_NODE: '1' }, maxBuffer: 64 * 1024 * 1024, windowsHide: true },
      (error, stdout, stderr) => (error ? reject(new Error(stderr.trim() || error.message)) : resolve(stdout)),
    );
  });
}

/** `nas export` of a trial's architecture as a PyTorch file (the runs view's Export as PyTorch). */
export function pytorchExportArgs(manifest: RunManifest, trial: TrialRecord, out: string): string[] {
  return ['export', manifest.file, '--network', manifest.space, '--arch', trial.encoding, '--to', 'pytorch', '--out', out, '--force'];
}

/** Where a trial's text is opened (unsaved, saved there when the user saves): in its run directory. */
export function trialDocumentPath(dir: string, search: string, trial: number): string {
  return path.join(dir, `${search}_trial${trial}.nas`);
}

/**
 * The text with its relative imports rewritten for a file in `toDir` instead of `fromDir`
 * (a trial's text written elsewhere than its run directory).
 */
export function rebaseImports(text: string, fromDir: string, toDir: string): string {
  return text.replace(/^(\s*import\s+)"(\.{1,2}\/[^"]*)"/gm, (_all, head: string, target: string) => {
    const rel = path.relative(toDir, path.resolve(fromDir, target)).split(path.sep).join('/');
    return `${head}${JSON.stringify(rel.startsWith('.') ? rel : `./${rel}`)}`;
  });
}

/** The decisions of an encoding (`key=option;...`), as the graph view takes them. */
export function decisionsOf(encoding: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const part of encoding.split(';')) {
    const eq = part.lastIndexOf('=');
    if (eq > 0) out[part.slice(0, eq)] = Number(part.slice(eq + 1));
  }
  return out;
}

/**
 * The file that defines a run's space, for the graph view (which draws a definition of the
 * file it is given): the searched file, or one it imports (`import "nb201"`, relative, `.nas`
 * optional), followed a few levels deep. Undefined when the space is in the standard library
 * or nowhere to be found.
 */
export function spaceFile(file: string, space: string, depth = 4): string | undefined {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
  // A definition (`space NB201(...) {` or `space NB201 {`), not a search block's `space NB201` line.
  if (new RegExp(`^\\s*space\\s+${space}\\s*[({]`, 'm').test(text)) return file;
  if (depth === 0) return undefined;
  for (const m of text.matchAll(/^\s*import\s+"([^"]+)"/gm)) {
    const target = m[1]!;
    if (target.startsWith('std/')) continue;
    const found = spaceFile(path.resolve(path.dirname(file), target.endsWith('.nas') ? target : `${target}.nas`), space, depth - 1);
    if (found) return found;
  }
  return undefined;
}
