/**
 * The grammar has no ambiguous alternatives. Langium's parser predicts with ALL(*) (Chevrotain's
 * LL(*) strategy), which reports an ambiguity when a prediction first meets input that fits two
 * alternatives, not when the parser is built: so the parser is built and then fed every
 * example, every budget form and seeded random programs, and nothing may be reported. The
 * budget forms keep the trees they had: `budget(100)` is a value, a list with a name or two
 * items is settings.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { EmptyFileSystem } from 'langium';
import { afterAll, beforeAll, describe, expect, it, vi, type MockInstance } from 'vitest';
import { createNasCoreServices } from '../../src/core/language/services/nas-module.js';
import type { BudgetItem, Document, NumberLit, Paren, Search } from '../../src/core/language/syntax/generated/ast.js';
import { NasLanguageMetaData } from '../../src/core/language/syntax/generated/module.js';
import { Rng } from '../../src/core/util/random.js';
import { generateProgram } from '../helpers/random-program.js';

const EXAMPLES = path.resolve(__dirname, '../../examples');

describe('the parser meets no ambiguous alternatives', () => {
  const reports: string[] = [];
  const spies: MockInstance[] = [];
  let parse: (text: string) => Document;

  beforeAll(() => {
    // Chevrotain reports ambiguities with console.log (chevrotain-allstar's default logger).
    for (const method of ['log', 'warn', 'error'] as const) {
      spies.push(vi.spyOn(console, method).mockImplementation((...args: unknown[]) => void reports.push(args.map(String).join(' '))));
    }
    // A fresh parser: its prediction caches start empty, so every decision is analysed here. In
    // development mode: the core's production mode does not report ambiguities (docs/adr/0026).
    const { Nas } = createNasCoreServices(EmptyFileSystem, { language: { LanguageMetaData: () => NasLanguageMetaData } });
    parse = (text) => Nas.parser.LangiumParser.parse<Document>(text).value;
  });
  afterAll(() => {
    for (const spy of spies) spy.mockRestore();
  });

  const budget = (text: string): BudgetItem => (parse(`search S {\n  ${text}\n}\n`).elements[0] as Search).items[0] as BudgetItem;

  it('in the budget forms, which keep their trees', () => {
    const plain = budget('budget 100');
    expect([(plain.value as NumberLit).value, plain.args.length]).toEqual(['100', 0]);
    const paren = budget('budget(100)');
    expect(paren.value?.$type).toBe('Paren');
    expect(((paren.value as Paren).inner as NumberLit).value).toBe('100');
    expect(paren.args).toEqual([]);
    expect(budget('budget (100) * 2').value?.$type).toBe('BinaryExpr');
    expect(budget('budget(queries = 100, seconds = 3600)').args.map((a) => a.name)).toEqual(['queries', 'seconds']);
    expect(budget('budget(queries: 100)').args.map((a) => a.label)).toEqual(['queries']);
    const two = budget('budget(100, seconds = 60)');
    expect([two.value, two.args.map((a) => a.name)]).toEqual([undefined, [undefined, 'seconds']]);
    expect(reports).toEqual([]);
  });

  it('in every example', () => {
    for (const file of fs.readdirSync(EXAMPLES).filter((f) => f.endsWith('.nas'))) parse(fs.readFileSync(path.join(EXAMPLES, file), 'utf8'));
    expect(reports).toEqual([]);
  });

  it('in seeded random programs, valid or not', () => {
    const rng = new Rng(4242);
    for (let i = 0; i < 150; i++) parse(generateProgram(rng));
    expect(reports).toEqual([]);
  });
});
