// The language configuration's regular expressions run in VS Code as JavaScript RegExps, so
// they are checked here against the lines they must (and must not) match.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

interface OnEnterRule {
  beforeText: string;
  afterText?: string;
  action: { indent: string; appendText?: string };
}
interface LanguageConfiguration {
  comments: { lineComment: string; blockComment: [string, string] };
  brackets: [string, string][];
  autoClosingPairs: { open: string; close: string; notIn?: string[] }[];
  folding: { markers: { start: string; end: string } };
  wordPattern: string;
  indentationRules: { increaseIndentPattern: string; decreaseIndentPattern: string };
  onEnterRules: OnEnterRule[];
}

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const config = JSON.parse(fs.readFileSync(path.join(root, 'language-configuration.json'), 'utf8')) as LanguageConfiguration;
const manifest = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')) as {
  contributes: { languages: { id: string; configuration: string }[]; grammars: { language: string; scopeName: string; path: string }[] };
};

describe('language-configuration.json', () => {
  it('is the configuration of the nas language and its grammar is contributed', () => {
    const nas = manifest.contributes.languages.find((l) => l.id === 'nas');
    expect(nas?.configuration).toBe('./language-configuration.json');
    const grammar = manifest.contributes.grammars.find((g) => g.language === 'nas');
    expect(grammar).toMatchObject({ scopeName: 'source.nas', path: './syntaxes/nas.tmLanguage.json' });
  });

  it('declares # line comments and /* */ block comments (// is floor division)', () => {
    expect(config.comments).toEqual({ lineComment: '#', blockComment: ['/*', '*/'] });
  });

  it('pairs and auto-closes all three brackets and both quotes', () => {
    expect(config.brackets).toEqual([
      ['{', '}'],
      ['[', ']'],
      ['(', ')'],
    ]);
    const opens = config.autoClosingPairs.map((p) => p.open);
    expect(opens).toEqual(expect.arrayContaining(['{', '[', '(', '"', "'", '/**']));
    expect(config.autoClosingPairs.find((p) => p.open === '"')?.notIn).toContain('string');
  });

  it('indents after an open brace, parenthesis or bracket and outdents at the closing one', () => {
    const increase = new RegExp(config.indentationRules.increaseIndentPattern);
    const decrease = new RegExp(config.indentationRules.decreaseIndentPattern);
    for (const line of ['network Tiny {', 'space S(C: int = 16) {  # comment', '  choice(zero, identity,', '  let xs = [1, 2,']) {
      expect(increase.test(line), line).toBe(true);
    }
    for (const line of ['  conv(16, k=3) -> bn', '}', '# a comment with {', '  output n3', 'let s = "{"']) {
      expect(increase.test(line), line).toBe(false);
    }
    expect(decrease.test('  }')).toBe(true);
    expect(decrease.test('  )')).toBe(true);
    expect(decrease.test('  conv(8)')).toBe(false);
  });

  it('takes numbers with SI suffixes and identifiers as whole words', () => {
    const word = new RegExp(config.wordPattern, 'g');
    expect('constraint macs <= 600M'.match(word)).toEqual(['constraint', 'macs', '600M']);
    expect('x = 3.5k + conv_1'.match(word)).toEqual(['x', '3.5k', 'conv_1']);
  });

  it('folds # region markers', () => {
    expect(new RegExp(config.folding.markers.start).test('  # region stem')).toBe(true);
    expect(new RegExp(config.folding.markers.end).test('# endregion')).toBe(true);
    expect(new RegExp(config.folding.markers.start).test('# regional note')).toBe(false);
  });

  it('continues /** doc comments with " * " on Enter', () => {
    const rule = config.onEnterRules.find((r) => new RegExp(r.beforeText).test('/** A block') && !r.afterText);
    expect(rule?.action.appendText).toBe(' * ');
    for (const r of config.onEnterRules) {
      expect(() => new RegExp(r.beforeText)).not.toThrow();
    }
  });
});
