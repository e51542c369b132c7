/**
 * A real LSP client for the tests and the benchmark: builds the server bundle with esbuild,
 * spawns it over stdio and talks JSON-RPC to it with vscode-languageserver-protocol.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';
import { createProtocolConnection, StreamMessageReader, StreamMessageWriter, type ProtocolConnection } from 'vscode-languageserver-protocol/node.js';
import {
  ConfigurationRequest,
  DidChangeConfigurationNotification,
  DidChangeTextDocumentNotification,
  DidOpenTextDocumentNotification,
  InitializeRequest,
  InitializedNotification,
  PublishDiagnosticsNotification,
  type Diagnostic,
  type InitializeResult,
  type Position,
} from 'vscode-languageserver-protocol';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

let bundlePromise: Promise<string> | undefined;

/** Bundles language-server/main.ts as the build does (once per test process). */
export function buildServer(): Promise<string> {
  bundlePromise ??= (async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nas-lsp-'));
    const outfile = path.join(dir, 'language-server.cjs');
    await esbuild.build({
      entryPoints: [path.join(ROOT, 'language-server/main.ts')],
      outfile,
      bundle: true,
      platform: 'node',
      target: 'node20',
      format: 'cjs',
      logLevel: 'silent',
    });
    return outfile;
  })();
  return bundlePromise;
}

export interface Settings {
  inlayHints: { enabled: boolean; cost: 'macs' | 'flops' };
}

export class LspClient {
  readonly connection: ProtocolConnection;
  readonly diagnostics = new Map<string, Diagnostic[]>();
  /** How many publishDiagnostics each URI received. */
  readonly publishCount = new Map<string, number>();
  readonly settings: Settings = { inlayHints: { enabled: true, cost: 'macs' } };
  readonly stderr: string[] = [];
  private readonly versions = new Map<string, number>();
  private readonly texts = new Map<string, string>();
  private waiters: Array<() => void> = [];
  exited: number | null | undefined;

  private constructor(readonly process: ChildProcess) {
    this.connection = createProtocolConnection(new StreamMessageReader(process.stdout!), new StreamMessageWriter(process.stdin!));
    process.stderr!.on('data', (b: Buffer) => this.stderr.push(b.toString()));
    process.on('exit', (code) => {
      this.exited = code;
    });
    this.connection.onNotification(PublishDiagnosticsNotification.type, (p) => {
      this.diagnostics.set(p.uri, p.diagnostics);
      this.publishCount.set(p.uri, (this.publishCount.get(p.uri) ?? 0) + 1);
      const w = this.waiters;
      this.waiters = [];
      for (const f of w) f();
    });
    this.connection.onRequest(ConfigurationRequest.type, (p) => p.items.map((i) => (i.section === 'nas' ? this.settings : null)));
    this.connection.onRequest('workspace/inlayHint/refresh', () => null);
    this.connection.onRequest('workspace/codeLens/refresh', () => null);
    this.connection.onRequest('client/registerCapability', () => null);
    this.connection.listen();
  }

  static async start(workspaceFolder?: string, execArgv: string[] = []): Promise<LspClient> {
    const bundle = await buildServer();
    const child = spawn(process.execPath, [...execArgv, bundle, '--stdio'], { stdio: ['pipe', 'pipe', 'pipe'] });
    const client = new LspClient(child);
    await client.initialize(workspaceFolder);
    return client;
  }

  private async initialize(workspaceFolder?: string): Promise<InitializeResult> {
    const folder = workspaceFolder ? { uri: fileUri(workspaceFolder), name: path.basename(workspaceFolder) } : undefined;
    const result = await this.connection.sendRequest(InitializeRequest.type, {
      processId: process.pid,
      rootUri: folder?.uri ?? null,
      workspaceFolders: folder ? [folder] : null,
      capabilities: {
        workspace: {
          configuration: true,
          workspaceFolders: true,
          inlayHint: { refreshSupport: true },
          codeLens: { refreshSupport: true },
          didChangeConfiguration: { dynamicRegistration: true },
        },
        textDocument: {
          publishDiagnostics: { relatedInformation: true },
          hover: { contentFormat: ['markdown', 'plaintext'] },
          completion: { completionItem: { snippetSupport: true, documentationFormat: ['markdown'] } },
          inlayHint: {},
          codeLens: {},
          rename: { prepareSupport: true },
          signatureHelp: {},
          semanticTokens: { requests: { full: true }, tokenTypes: [], tokenModifiers: [], formats: ['relative'] },
        },
      },
    });
    this.initializeResult = result;
    await this.connection.sendNotification(InitializedNotification.type, {});
    return result;
  }

  initializeResult: InitializeResult | undefined;

  open(uri: string, text: string): void {
    this.versions.set(uri, 1);
    this.texts.set(uri, text);
    void this.connection.sendNotification(DidOpenTextDocumentNotification.type, { textDocument: { uri, languageId: 'nas', version: 1, text } });
  }

  /** Replaces the whole text (a full-content change event). */
  change(uri: string, text: string): void {
    const version = (this.versions.get(uri) ?? 1) + 1;
    this.versions.set(uri, version);
    this.texts.set(uri, text);
    void this.connection.sendNotification(DidChangeTextDocumentNotification.type, { textDocument: { uri, version }, contentChanges: [{ text }] });
  }

  /**
   * Replaces `length` characters at (line, character) of the current text with `insert`, sent
   * as an incremental change event (a range and its new text), the way VS Code sends typing.
   */
  edit(uri: string, line: number, character: number, length: number, insert: string): void {
    const old = this.texts.get(uri) ?? '';
    let offset = 0;
    for (let l = 0; l < line; l++) offset = old.indexOf('\n', offset) + 1;
    offset += character;
    const version = (this.versions.get(uri) ?? 1) + 1;
    this.versions.set(uri, version);
    this.texts.set(uri, old.slice(0, offset) + insert + old.slice(offset + length));
    const range = { start: { line, character }, end: { line, character: character + length } };
    void this.connection.sendNotification(DidChangeTextDocumentNotification.type, {
      textDocument: { uri, version },
      contentChanges: [{ range, text: insert }],
    });
  }

  /** Opens a document whose cursor positions are marked with `<|>` and waits for its first diagnostics. */
  async openMarked(uri: string, marked: string): Promise<{ uri: string; text: string; cursors: Position[]; diagnostics: Diagnostic[] }> {
    const { text, cursors } = parseCursors(marked);
    const before = this.publishCount.get(uri) ?? 0;
    this.open(uri, text);
    const diagnostics = await this.waitForDiagnostics(uri, () => true, 20_000, before);
    return { uri, text, cursors, diagnostics };
  }

  text(uri: string): string {
    return this.texts.get(uri) ?? '';
  }

  changeSettings(): void {
    void this.connection.sendNotification(DidChangeConfigurationNotification.type, { settings: null });
  }

  /** Resolves when a publishDiagnostics for the URI satisfies the predicate. */
  waitForDiagnostics(uri: string, predicate: (d: Diagnostic[]) => boolean = () => true, timeoutMs = 20_000, after = 0): Promise<Diagnostic[]> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(
        () =>
          reject(
            new Error(
              `no matching diagnostics for ${uri} within ${timeoutMs} ms; last: ${JSON.stringify(this.diagnostics.get(uri))?.slice(0, 500)}; stderr: ${this.stderr.join('').slice(-2000)}`,
            ),
          ),
        timeoutMs,
      );
      const check = (): void => {
        const d = this.diagnostics.get(uri);
        if (d && (this.publishCount.get(uri) ?? 0) > after && predicate(d)) {
          clearTimeout(timer);
          resolve(d);
        } else this.waiters.push(check);
      };
      check();
    });
  }

  async stop(): Promise<void> {
    try {
      await Promise.race([this.connection.sendRequest('shutdown'), new Promise((r) => setTimeout(r, 2000))]);
      await this.connection.sendNotification('exit');
    } catch {
      // already gone
    }
    this.connection.dispose();
    if (this.exited === undefined) this.process.kill();
  }
}

export function fileUri(p: string): string {
  return 'file://' + path.resolve(p).split(path.sep).map(encodeURIComponent).join('/').replace(/^\/\//, '/');
}

/** Removes the `<|>` markers of a fixture and returns the text and the marked positions. */
export function parseCursors(marked: string): { text: string; cursors: Position[] } {
  const cursors: Position[] = [];
  let text = '';
  let line = 0;
  let character = 0;
  for (let i = 0; i < marked.length; i++) {
    if (marked.startsWith('<|>', i)) {
      cursors.push({ line, character });
      i += 2;
      continue;
    }
    const c = marked[i]!;
    text += c;
    if (c === '\n') {
      line++;
      character = 0;
    } else character++;
  }
  return { text, cursors };
}

export function tempDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'nas-lsp-ws-'));
}
