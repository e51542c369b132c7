/**
 * Completion parses only the top-level chunk before the cursor (language-server/completion.ts,
 * `findFeaturesAt`), where Langium parses the whole text before it. Both must offer the same
 * items: compared here at every line of every example (start, indentation, inside, end), in
 * a file with a syntax error before the cursor, and in the 5,000-line benchmark file (its
 * latency is in `bench/lsp-bench.ts`).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { URI, TextDocument as LangiumTextDocument, type LangiumDocument, type TextDocument } from 'langium';
import { DefaultCompletionProvider, type NextFeature } from 'langium/lsp';
import { describe, expect, it } from 'vitest';
import { NasCompletionProvider } from '../../language-server/completion.js';
import { completionPrefix } from '../../language-server/completion-context.js';
import { startLspServices } from '../helpers/lsp-services.js';
import { generateLargeFile } from '../../bench/generated-file.js';
import { yieldToEventLoop } from '../helpers/event-loop.js';

const ROOT = path.resolve(import.meta.dirname, '../..');

/**
 * The same provider with Langium's own `findFeaturesAt` on the whole text before the cursor
 * (read as the provider reads its chunk: `completionPrefix`).
 */
class WholePrefixCompletion extends NasCompletionProvider {
  protected override findFeaturesAt(document: TextDocument, offset: number): NextFeature[] {
    const prefix = completionPrefix(this.lexer, document.getText().slice(0, offset));
    const whole = LangiumTextDocument.create(document.uri, document.languageId, document.version, prefix);
    return (DefaultCompletionProvider.prototype as unknown as { findFeaturesAt(d: TextDocument, o: number): NextFeature[] }).findFeaturesAt.call(
      this,
      whole,
      prefix.length,
    );
  }
}

async function start() {
  const services = await startLspServices();
  const { shared } = services;
  const open = async (text: string, name: string): Promise<LangiumDocument> => {
    const doc = shared.workspace.LangiumDocumentFactory.fromString(text, URI.file(path.join(ROOT, 'examples', name)));
    shared.workspace.LangiumDocuments.addDocument(doc);
    await shared.workspace.DocumentBuilder.build([doc], { validation: true });
    return doc;
  };
  return { services, open, whole: new WholePrefixCompletion(services.Nas) };
}

function positionsOf(text: string): Array<{ line: number; character: number }> {
  const out: Array<{ line: number; character: number }> = [];
  text.split('\n').forEach((l, line) => {
    const indent = l.length - l.trimStart().length;
    for (const character of new Set([0, indent, Math.floor((indent + l.length) / 2), l.length])) out.push({ line, character });
  });
  return out;
}

describe('completion from the top-level chunk before the cursor', () => {
  it('offers what a parse of the whole text before the cursor offers, everywhere in the examples', async () => {
    const { services, open, whole } = await start();
    const mine = services.Nas.lsp.CompletionProvider!;
    let compared = 0;
    let offered = 0;
    for (const file of fs.readdirSync(path.join(ROOT, 'examples')).filter((f) => f.endsWith('.nas'))) {
      const text = fs.readFileSync(path.join(ROOT, 'examples', file), 'utf8');
      const doc = await open(text, `completion-${file}`);
      await yieldToEventLoop();
      for (const position of positionsOf(text)) {
        const params = { textDocument: { uri: doc.uri.toString() }, position };
        const a = await mine.getCompletion(doc, params);
        expect(a, `${file} ${position.line}:${position.character}`).toEqual(await whole.getCompletion(doc, params));
        compared++;
        offered += a?.items.length ?? 0;
      }
    }
    expect(compared).toBeGreaterThan(1500);
    expect(offered).toBeGreaterThan(10 * compared);
  });

  it('is the same after a syntax error earlier in the file, and at the end of a 5,000-line file', async () => {
    const { services, open, whole } = await start();
    const mine = services.Nas.lsp.CompletionProvider!;
    const broken = 'block A(C: int) {\n  input x\n  x -> conv(C, k=3\n}\n\nnetwork N {\n  input(3, 32, 32)\n  conv(16, k=3) -> \n  gap -> fc(10)\n}\n';
    const doc = await open(broken, 'completion-broken.nas');
    for (const position of positionsOf(broken)) {
      const params = { textDocument: { uri: doc.uri.toString() }, position };
      expect(await mine.getCompletion(doc, params), `${position.line}:${position.character}`).toEqual(await whole.getCompletion(doc, params));
    }
    const text = generateLargeFile();
    const large = await open(text, 'completion-large.nas');
    const lines = text.split('\n');
    const line = lines.length - 6;
    const params = { textDocument: { uri: large.uri.toString() }, position: { line, character: lines[line]!.length } };
    const a = await mine.getCompletion(large, params);
    expect(a).toEqual(await whole.getCompletion(large, params));
    expect(a!.items.length).toBeGreaterThan(0);
  });
});
