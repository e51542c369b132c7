import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import type { IGrammar } from 'vscode-textmate';
import { isAssertionLine, parseScopeAssertions } from './scope-assertions.js';
import { GRAMMAR_PATH, loadNasGrammar, tokenizeLines, type ScopedToken } from './tokenize-nas.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const fixturesDir = path.join(here, 'fixtures');
const fixtures = fs
  .readdirSync(fixturesDir)
  .filter((f) => f.endsWith('.nas'))
  .sort();

let grammar: IGrammar;
beforeAll(async () => {
  grammar = await loadNasGrammar();
});

function scopesAt(tokens: ScopedToken[], column: number): string[] {
  return tokens.find((t) => t.startIndex <= column && column < t.endIndex)?.scopes ?? [];
}

describe('TextMate grammar fixtures', () => {
  it('has fixtures with assertions', () => {
    expect(fixtures.length).toBeGreaterThanOrEqual(4);
  });

  for (const fixture of fixtures) {
    it(`tokenizes ${fixture} with the expected scopes`, () => {
      const lines = fs.readFileSync(path.join(fixturesDir, fixture), 'utf8').split(/\r?\n/);
      expect(lines[0]).toMatch(/^# SYNTAX TEST "source\.nas"/);
      const assertions = parseScopeAssertions(lines);
      expect(assertions.length).toBeGreaterThan(5);
      const tokens = tokenizeLines(grammar, lines);
      const failures: string[] = [];
      for (const a of assertions) {
        const sourceText = lines[a.sourceLine];
        for (const column of a.columns) {
          const actual = scopesAt(tokens[a.sourceLine], column);
          const missing = a.scopes.filter((s) => !actual.includes(s));
          if (missing.length > 0) {
            failures.push(
              `${fixture}:${a.assertionLine} column ${column} ('${sourceText[column] ?? 'EOL'}' in "${sourceText.trim()}"): ` +
                `missing ${missing.join(' ')}; got ${actual.join(' ')}`,
            );
            break;
          }
        }
      }
      expect(failures).toEqual([]);
    });

    it(`leaves no source character of ${fixture} without a scope besides source.nas, except spaces and commas`, () => {
      // Guards against rules that silently stop matching: every word and operator gets a scope.
      const lines = fs.readFileSync(path.join(fixturesDir, fixture), 'utf8').split(/\r?\n/);
      const tokens = tokenizeLines(grammar, lines);
      const bare: string[] = [];
      lines.forEach((text, line) => {
        if (isAssertionLine(text)) return;
        for (const t of tokens[line]) {
          if (t.scopes.length === 1 && /[^\s,:]/.test(t.text)) bare.push(`${fixture}:${line + 1} "${t.text}"`);
        }
      });
      expect(bare).toEqual([]);
    });
  }
});

describe('TextMate grammar on the examples', () => {
  const examplesDir = path.join(here, '../../examples');
  const examples = fs.existsSync(examplesDir)
    ? fs
        .readdirSync(examplesDir)
        .filter((f) => f.endsWith('.nas'))
        .sort()
    : [];

  it('has examples to check', () => {
    expect(examples.length).toBeGreaterThan(0);
  });

  for (const example of examples) {
    it(`scopes every word of examples/${example} and closes every region it opens`, () => {
      const lines = fs.readFileSync(path.join(examplesDir, example), 'utf8').split(/\r?\n/);
      // A probe definition after the file must start at the top level, outside any block.
      const tokens = tokenizeLines(grammar, [...lines, 'network Probe']);
      const bare = tokens
        .slice(0, lines.length)
        .flatMap((line, i) => line.filter((t) => t.scopes.length === 1 && /[^\s,:]/.test(t.text)).map((t) => `${i + 1}: "${t.text}"`));
      expect(bare).toEqual([]);
      expect(tokens[lines.length]![0]!.scopes).toEqual(['source.nas', 'meta.definition.type.nas', 'storage.type.network.nas']);
    });
  }
});

describe('TextMate grammar and the language grammar agree', () => {
  it('gives every keyword of nas.langium a keyword, storage, type or constant scope', () => {
    const langium = fs.readFileSync(path.join(here, '../../src/core/language/syntax/nas.langium'), 'utf8');
    const keywords = [...new Set([...langium.matchAll(/'([a-z]+)'/g)].map((m) => m[1]))].sort();
    expect(keywords).toContain('network');
    const wrong: string[] = [];
    for (const keyword of keywords) {
      // Type names are keywords only after ':' (elsewhere they are ordinary names).
      const isType = ['int', 'float', 'bool', 'string', 'tensor', 'layer', 'list', 'any'].includes(keyword);
      const probe = isType ? `block B(x: ${keyword})` : `let v = ${keyword}`;
      const [tokens] = tokenizeLines(grammar, [probe]);
      const column = probe.lastIndexOf(keyword);
      const scopes = scopesAt(tokens, column);
      if (!scopes.some((s) => /^(keyword|storage|support\.type|constant\.language)\./.test(s))) {
        wrong.push(`${keyword}: ${scopes.join(' ')}`);
      }
    }
    expect(wrong).toEqual([]);
  });

  it('is valid JSON with the source.nas scope and no generated leftovers', () => {
    const raw = JSON.parse(fs.readFileSync(GRAMMAR_PATH, 'utf8')) as { scopeName: string };
    expect(raw.scopeName).toBe('source.nas');
    expect(fs.existsSync(path.join(here, '../../syntaxes/nas.tmLanguage.generated.json'))).toBe(false);
  });

  it('ends a line comment at the end of its line and a string at the end of its line', () => {
    const tokens = tokenizeLines(grammar, ['conv(8) # note "x', 'relu', "let s = 'open", 'bn']);
    expect(scopesAt(tokens[1], 0)).toContain('support.function.builtin.op.nas');
    expect(scopesAt(tokens[3], 0)).toContain('support.function.builtin.op.nas');
  });

  it('treats // as floor division, not as a comment', () => {
    const [tokens] = tokenizeLines(grammar, ['let h = 7 // 2']);
    expect(scopesAt(tokens, 10)).toContain('keyword.operator.arithmetic.nas');
    expect(scopesAt(tokens, 13)).toContain('constant.numeric.integer.nas');
  });
});
