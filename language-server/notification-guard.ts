/**
 * The text-document notifications checked at the door. The documents the server keeps are made
 * from them (vscode-languageserver's TextDocuments); one whose text is not a string, or a
 * change with a malformed range, would make every later build of the workspace throw, and no
 * document would get diagnostics again. A notification that breaks the protocol is logged and
 * ignored; a handler that throws is logged, and the server goes on with the next message.
 */
import type { Connection } from 'vscode-languageserver';

type Log = (message: string) => void;

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const isCount = (v: unknown): boolean => Number.isSafeInteger(v) && (v as number) >= 0;
const isPosition = (v: unknown): boolean => isObject(v) && isCount(v['line']) && isCount(v['character']);

/** What is wrong with `params.textDocument` (a URI at least), or undefined. */
function documentProblem(params: unknown): string | undefined {
  if (!isObject(params) || !isObject(params['textDocument'])) return 'no textDocument';
  const uri = params['textDocument']['uri'];
  if (typeof uri !== 'string' || uri.length === 0) return 'textDocument.uri is not a string';
  // A folder is not a document (a document at `file:///` sat above every other in Langium's
  // URI trie, and taking it out took them all).
  if (uri.endsWith('/')) return 'textDocument.uri names a folder, not a document';
  return undefined;
}

function didOpenProblem(params: unknown): string | undefined {
  const problem = documentProblem(params);
  if (problem) return problem;
  const td = (params as { textDocument: Record<string, unknown> }).textDocument;
  if (typeof td['text'] !== 'string') return 'textDocument.text is not a string';
  if (typeof td['languageId'] !== 'string') return 'textDocument.languageId is not a string';
  if (!Number.isSafeInteger(td['version'])) return 'textDocument.version is not an integer';
  return undefined;
}

function didChangeProblem(params: unknown): string | undefined {
  const problem = documentProblem(params);
  if (problem) return problem;
  const p = params as { textDocument: Record<string, unknown>; contentChanges?: unknown };
  if (!Number.isSafeInteger(p.textDocument['version'])) return 'textDocument.version is not an integer';
  if (!Array.isArray(p.contentChanges)) return 'contentChanges is not an array';
  for (const c of p.contentChanges as unknown[]) {
    if (!isObject(c) || typeof c['text'] !== 'string') return 'a content change has no text string';
    const range = c['range'];
    if (range !== undefined && !(isObject(range) && isPosition(range['start']) && isPosition(range['end']))) {
      return 'a content change has a malformed range';
    }
  }
  return undefined;
}

type Registrar = (handler: (params: never, ...rest: never[]) => unknown) => unknown;

/**
 * Wraps `connection[method]` (a registration such as `onDidOpenTextDocument`) so that the
 * handler registered later sees only params that `problem` accepts, and cannot throw.
 */
function guard(connection: Connection, method: keyof Connection, notification: string, problem: (params: unknown) => string | undefined, log: Log): void {
  const original = (connection[method] as Registrar).bind(connection);
  (connection as unknown as Record<string, Registrar>)[method] = (handler) =>
    original(((params: unknown, ...rest: unknown[]) => {
      const wrong = problem(params);
      if (wrong) {
        log(`ignored ${notification}: ${wrong} (a protocol violation by the client)`);
        return undefined;
      }
      try {
        return (handler as (p: unknown, ...r: unknown[]) => unknown)(params, ...rest);
      } catch (e) {
        log(`${notification} failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
        return undefined;
      }
    }) as never);
}

/** Call before the text documents listen on the connection (before startLanguageServer). */
export function guardTextDocumentNotifications(connection: Connection, log: Log): void {
  guard(connection, 'onDidOpenTextDocument', 'textDocument/didOpen', didOpenProblem, log);
  guard(connection, 'onDidChangeTextDocument', 'textDocument/didChange', didChangeProblem, log);
  guard(connection, 'onDidCloseTextDocument', 'textDocument/didClose', documentProblem, log);
  guard(connection, 'onDidSaveTextDocument', 'textDocument/didSave', documentProblem, log);
  guard(connection, 'onWillSaveTextDocument', 'textDocument/willSave', documentProblem, log);
}
