/**
 * A trial's architecture as readable `.nas` text, from the CLI in a child process
 * (`nas sample FILE --space S --arch ENCODING`): the extension talks to the core only through
 * the language server or a child process. Free of the vscode API.
 */
import { execFile } from 'node:child_process';
import type { RunManifest } from '../../protocol/dashboard.js';
import type { TrialRecord } from '../../protocol/search-events.js';

export interface CliLauncher {
  node: string;
  /** bin/nas.cjs */
  cli: string;
}

export function architectureText(cli: CliLauncher, manifest: RunManifest, trial: TrialRecord): Promise<string> {
  const args = [cli.cli, 'sample', manifest.file, '--space', manifest.space, '--arch', trial.encoding];
  return new Promise((resolve, reject) => {
    execFile(
      cli.node,
      args,
      { env: { ...process.env, ELECTRON_RUN_AS_NODE: '1' }, maxBuffer: 64 * 1024 * 1024, windowsHide: true },
      (error, stdout, stderr) => {
        if (error) reject(new Error(stderr.trim() || error.message));
        else resolve(`# trial ${trial.trial} of search ${manifest.search}\n${stdout}`);
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
