// NAS: Export to PyTorch: the file `nas export --to pytorch` writes, asked of the language
// server (nas/exportPytorch) for a network, or an architecture of a space by its decisions (a
// search result passes them), and saved where the user picks.
import * as vscode from 'vscode';
import type { ExportPytorchParams, ExportPytorchResult } from '../protocol/lsp-extensions.js';

/** `ExportPytorchRequest.method` of src/protocol/lsp-extensions.ts (the value only: the protocol's RequestType stays out of this bundle). */
const EXPORT_PYTORCH_METHOD = 'nas/exportPytorch';

/** Sends a custom request to the language server once it runs (rejects if it never starts). */
export type LanguageRequests = () => Promise<{ sendRequest<R>(method: string, params: unknown): Promise<R> }>;

/** Arguments: a code lens passes (uri string, name); a search result (uri, name, decisions); the palette nothing (the active editor). */
export async function exportPytorchCommand(requests: LanguageRequests, log: vscode.LogOutputChannel, args: unknown[]): Promise<vscode.Uri | undefined> {
  const [first, second, third] = args;
  const uri = first instanceof vscode.Uri ? first : typeof first === 'string' ? vscode.Uri.parse(first) : vscode.window.activeTextEditor?.document.uri;
  if (!uri) {
    void vscode.window.showInformationMessage('NAS Studio: open a .nas file to export one of its networks to PyTorch.');
    return undefined;
  }
  const params: ExportPytorchParams = {
    uri: uri.toString(),
    name: typeof second === 'string' ? second : undefined,
    decisions: third && typeof third === 'object' ? (third as Record<string, number>) : undefined,
  };
  let result: ExportPytorchResult;
  try {
    result = await (await requests()).sendRequest<ExportPytorchResult>(EXPORT_PYTORCH_METHOD, params);
  } catch (e) {
    void vscode.window.showErrorMessage(`NAS Studio: Export to PyTorch needs the language server, which did not answer (${(e as Error).message}).`);
    return undefined;
  }
  if (result.error !== undefined || result.code === undefined) {
    log.warn(`nas.exportPytorch ${params.uri} ${params.name ?? ''}: ${result.error}`);
    void vscode.window.showErrorMessage(`NAS Studio: cannot export ${result.name ?? 'the network'} to PyTorch: ${result.error ?? 'no code'}`);
    return undefined;
  }
  const target = await vscode.window.showSaveDialog({
    defaultUri: vscode.Uri.joinPath(uri, '..', `${result.name ?? 'model'}.py`),
    filters: { Python: ['py'] },
    title: `Export ${result.name} to PyTorch`,
  });
  if (!target) return undefined;
  await vscode.workspace.fs.writeFile(target, new TextEncoder().encode(result.code));
  log.info(`nas.exportPytorch: wrote ${target.toString()} (class ${result.className}, ${result.params} parameters)`);
  void vscode.window
    .showInformationMessage(
      `NAS Studio: wrote ${vscode.workspace.asRelativePath(target)}: class ${result.className}, ${result.params?.toLocaleString('en-US')} parameters.`,
      'Open',
    )
    .then((choice) => {
      if (choice) void vscode.window.showTextDocument(target);
    });
  return target;
}
