/**
 * Completion from the top-level chunk before the cursor against Langium's parse of the whole
 * text before it (completion-chunk.test.ts, completion-chunk.slow.test.ts).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { URI, TextDocument as LangiumTextDocument, type LangiumDocument, type TextDocument } from 'langium';
import { DefaultCompletionProvider, type NextFeature } from 'langium/lsp';
import { expect } from 'vitest';
import { NasCompletionProvider } from '../../language-server/completion.js';
import { completionPrefix } from '../../language-server/completion-context.js';
import { startLspServices } from '../helpers/lsp-services.js';
import { yieldToEventLoop } from '../helpers/event-loop.js';

const ROOT = path.resolve(import.meta.dirname, '../..');

/**
 * The same provider with Langium's own `findFeaturesAt` on the whole text before the cursor
 * (read as the provider reads its chunk: `completionPrefix`).
 */
export class WholePrefixCompletion extends NasCompletionProvider {
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

export async function start() {
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

/** The lines inside a `network X = S with { ... }` block, after its header. */
function withBlockLines(text: string): Set<number> {
  const out = new Set<number>();
  let depth = -1;
  text.split('\n').forEach((l, line) => {
    if (depth < 0 && /^network\s+\w+\s*=.*\bwith\s*\{/.test(l)) depth = 0;
    else if (depth >= 0) {
      out.add(line);
      for (const ch of l) depth += ch === '{' ? 1 : ch === '}' ? -1 : 0;
    }
  });
  return out;
}

export function positionsOf(text: string): Array<{ line: number; character: number }> {
  const out: Array<{ line: number; character: number }> = [];
  text.split('\n').forEach((l, line) => {
    const indent = l.length - l.trimStart().length;
    for (const character of new Set([0, indent, Math.floor((indent + l.length) / 2), l.length])) out.push({ line, character });
  });
  return out;
}

/**
 * Compares the two completions at every `lineStep`-th line of every example (at its start,
 * indentation, middle and end); returns how many positions were compared and how many items
 * were offered in all.
 */
export async function compareOverExamples(lineStep: number): Promise<{ compared: number; offered: number }> {
  const { services, open, whole } = await start();
  const mine = services.Nas.lsp.CompletionProvider!;
  let compared = 0;
  let offered = 0;
  for (const file of fs.readdirSync(path.join(ROOT, 'examples')).filter((f) => f.endsWith('.nas'))) {
    const text = fs.readFileSync(path.join(ROOT, 'examples', file), 'utf8');
    const doc = await open(text, `completion-${file}`);
    await yieldToEventLoop();
    const fixed = withBlockLines(text);
    for (const position of positionsOf(text)) {
      if (position.line % lineStep !== 0) continue;
      // Langium's whole-prefix computation does not finish inside a genotype of several
      // lines of (op, input) pairs (the next test compares the two on short ones).
      if (fixed.has(position.line)) continue;
      const params = { textDocument: { uri: doc.uri.toString() }, position };
      const a = await mine.getCompletion(doc, params);
      expect(a, `${file} ${position.line}:${position.character}`).toEqual(await whole.getCompletion(doc, params));
      compared++;
      offered += a?.items.length ?? 0;
    }
  }
  return { compared, offered };
}
