// Tokenizes .nas text with the extension's TextMate grammar through vscode-textmate and
// vscode-oniguruma: the same engine VS Code runs, so scopes seen here are what users see.
import * as fs from 'node:fs';
import { createRequire } from 'node:module';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
// Default imports: both packages are CommonJS, and Node's ESM loader (tsx, scripts) only exposes
// their exports reliably as the default export.
import oniguruma from 'vscode-oniguruma';
import textmate from 'vscode-textmate';

const require = createRequire(import.meta.url);
const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const GRAMMAR_PATH = path.join(repoRoot, 'syntaxes/nas.tmLanguage.json');

export interface ScopedToken {
  line: number;
  startIndex: number;
  endIndex: number;
  text: string;
  scopes: string[];
}

let grammarPromise: Promise<textmate.IGrammar> | undefined;

export function loadNasGrammar(): Promise<textmate.IGrammar> {
  grammarPromise ??= createGrammar();
  return grammarPromise;
}

async function createGrammar(): Promise<textmate.IGrammar> {
  const wasm = fs.readFileSync(require.resolve('vscode-oniguruma/release/onig.wasm'));
  await oniguruma.loadWASM(wasm.buffer.slice(wasm.byteOffset, wasm.byteOffset + wasm.byteLength));
  const registry = new textmate.Registry({
    onigLib: Promise.resolve({
      createOnigScanner: (patterns: string[]) => new oniguruma.OnigScanner(patterns),
      createOnigString: (text: string) => new oniguruma.OnigString(text),
    }),
    loadGrammar: async (scopeName: string) => {
      if (scopeName !== 'source.nas') return null;
      return textmate.parseRawGrammar(fs.readFileSync(GRAMMAR_PATH, 'utf8'), GRAMMAR_PATH);
    },
  });
  const grammar = await registry.loadGrammar('source.nas');
  if (!grammar) throw new Error('source.nas grammar did not load');
  return grammar;
}

/** Tokenizes line by line, carrying the rule stack as VS Code does (multi-line comments, headers). */
export function tokenizeLines(grammar: textmate.IGrammar, lines: readonly string[]): ScopedToken[][] {
  let ruleStack = textmate.INITIAL;
  return lines.map((lineText, line) => {
    const result = grammar.tokenizeLine(lineText, ruleStack);
    ruleStack = result.ruleStack;
    return result.tokens.map((t) => ({
      line,
      startIndex: t.startIndex,
      endIndex: Math.min(t.endIndex, lineText.length),
      text: lineText.slice(t.startIndex, t.endIndex),
      scopes: t.scopes,
    }));
  });
}
