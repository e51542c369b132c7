/**
 * A trial's architecture as readable `.nas` text, from the CLI in a child process
 * (`nas sample FILE --space S --arch ENCODING`): the extension talks to the core only through
 * the language server or a child process. Free of the vscode API.
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

export function architectureText(cli: CliLauncher, manifest: RunManifest, trial: TrialRecord): Promise<string> {
  // --flat: a self-contained network of primitive ops. The readable form (`network X = S with
  // {...}`) imports the space's file, which the language server cannot resolve from an untitled
  // editor; an editor ready to save, train or fuse must check clean.
  const args = [cli.cli, 'sample', manifest.file, '--space', manifest.space, '--arch', trial.encoding, '--flat', '--json'];
  return new Promise((resolve, reject) => {
    execFile(
      cli.node,
      args,
      { env: { ...process.env, ELECTRON_RUN_AS_NODE: '1' }, maxBuffer: 64 * 1024 * 1024, windowsHide: true },
      (error, stdout, stderr) => {
        if (error) return reject(new Error(stderr.trim() || error.message));
        try {
          const [sample] = JSON.parse(stdout) as { text: string }[];
          resolve(`# trial ${trial.trial} of search ${manifest.search}\n${sample!.text}`);
        } catch (e) {
          reject(new Error(`nas sample printed no architecture (${(e as Error).message})`));
        }
      },
    );
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
