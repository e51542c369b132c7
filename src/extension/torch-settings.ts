// The PyTorch engine's settings (`nas.python`, `nas.gpus`) as the CLI's arguments, for the
// processes the editor starts (a search, its resume): the CLI resolves the engine itself
// (src/cli/commands/search-engine.ts), so an unset setting passes nothing.
import * as vscode from 'vscode';

/** `0,1` or `cpu`, as `nas search --gpus` takes it. */
const GPUS = /^(cpu|\d{1,3}(,\d{1,3})*)$/;

export function torchEngineArgs(scope: vscode.Uri | undefined): string[] {
  const config = vscode.workspace.getConfiguration('nas', scope);
  const python = config.get<string>('python', '').trim();
  const gpus = config.get<string>('gpus', '').replace(/\s+/g, '');
  const args = python ? ['--python', python] : [];
  if (gpus && GPUS.test(gpus)) args.push('--gpus', gpus);
  else if (gpus)
    void vscode.window.showWarningMessage(`NAS Studio: the setting nas.gpus = "${gpus}" is not a list of GPU indices (0,1) or cpu; it is left out.`);
  return args;
}
