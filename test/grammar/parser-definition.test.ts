/**
 * The parser runs in Langium's production mode, which skips Chevrotain's checks of the grammar
 * (left recursion, empty alternatives, lookahead) and of the token definitions on every start
 * (docs/adr/0026-test-command-time.md). Those checks run here instead: the development-mode
 * parser and lexer throw on a definition error when they are built. Both modes must then read
 * every example the same way.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { EmptyFileSystem, isAstNode, isReference, type AstNode } from 'langium';
import { describe, expect, it, vi } from 'vitest';
import { createNasCoreServices } from '../../src/core/language/services/nas-module.js';
import { NasLanguageMetaData } from '../../src/core/language/syntax/generated/module.js';
import { ROOT } from '../helpers/cli.js';

/** An AST as plain data: properties in order, references by their text, no back links. */
function plain(node: AstNode): unknown {
  const out: Record<string, unknown> = { $type: node.$type };
  for (const [key, value] of Object.entries(node)) {
    if (key.startsWith('$')) continue;
    out[key] = plainValue(value);
  }
  return out;
}

function plainValue(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(plainValue);
  if (isReference(value)) return { ref: value.$refText };
  if (isAstNode(value)) return plain(value);
  return value;
}

const examples = fs
  .readdirSync(path.join(ROOT, 'examples'))
  .filter((f) => f.endsWith('.nas'))
  .sort();

describe('the parser definition', () => {
  const production = createNasCoreServices(EmptyFileSystem).Nas;

  it('runs in production mode in the core (the CLI and the server)', () => {
    expect(production.LanguageMetaData.mode).toBe('production');
  });

  // Built here with Chevrotain's validations on: a grammar or token definition error throws.
  const development = createNasCoreServices(EmptyFileSystem, { language: { LanguageMetaData: () => NasLanguageMetaData } }).Nas;

  it("passes Chevrotain's grammar and token checks (development mode)", () => {
    expect(development.LanguageMetaData.mode).toBe('development');
    expect(() => development.parser.Lexer).not.toThrow();
    expect(() => development.parser.LangiumParser).not.toThrow();
  });

  it('reads every example the same way in both modes', () => {
    expect(examples.length).toBeGreaterThan(10);
    // Development mode reports ambiguous alternatives on stdout while it parses; what is checked
    // here is the result.
    const log = vi.spyOn(console, 'log').mockImplementation(() => undefined);
    try {
      for (const name of examples) {
        const text = fs.readFileSync(path.join(ROOT, 'examples', name), 'utf8');
        const dev = development.parser.LangiumParser.parse(text);
        const prod = production.parser.LangiumParser.parse(text);
        expect(dev.lexerErrors, name).toEqual([]);
        expect(dev.parserErrors, name).toEqual([]);
        expect(prod.lexerErrors, name).toEqual([]);
        expect(prod.parserErrors, name).toEqual([]);
        expect(plain(prod.value), name).toEqual(plain(dev.value));
      }
    } finally {
      log.mockRestore();
    }
  });
});
