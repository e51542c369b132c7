/**
 * Every name the search vocabulary declares is writable where it is declared: each strategy and
 * evaluator setting (`evaluator train(seed = 1)`, although `seed` is also a search-block
 * keyword), each strategy, evaluator and metric name, through the real parser. And no word the
 * language reserves is a trap for a setting added later.
 */
import { AstUtils, EmptyFileSystem, GrammarAST } from 'langium';
import { describe, expect, it } from 'vitest';
import { createNasCoreServices } from '../../src/core/language/services/nas-module.js';
import type { Arg, Document, EvaluatorItem, Search, StrategyItem } from '../../src/core/language/syntax/generated/ast.js';
import { NasGrammar } from '../../src/core/language/syntax/generated/grammar.js';
import { readSearchSpec } from '../../src/core/search/spec.js';
import { EVALUATORS, KNOWN_METRICS, STRATEGIES } from '../../src/core/search/vocabulary.js';
import { build } from '../helpers/nas.js';

const { Nas } = createNasCoreServices(EmptyFileSystem);

/** The search block's items, parsed alone; the parse must be free of lexer and parser errors. */
function parseSearch(items: string): Search {
  const text = `search S {\n${items}\n}\n`;
  const result = Nas.parser.LangiumParser.parse<Document>(text);
  expect([...result.lexerErrors.map((e) => e.message), ...result.parserErrors.map((e) => e.message)], text).toEqual([]);
  return result.value.elements[0] as Search;
}

const names = (args: readonly Arg[]) => args.map((a) => a.name);

describe('names of the search vocabulary parse where they are written', () => {
  const owners = [
    ...STRATEGIES.map((s) => ['strategy', s.name, s.settings.map((x) => x.name)] as const),
    ...EVALUATORS.map((e) => ['evaluator', e.name, e.settings.map((x) => x.name)] as const),
  ];
  it.each(owners)('%s %s and each of its settings', (keyword, name, settings) => {
    const search = parseSearch(`  ${keyword} ${name}(${settings.map((n) => `${n} = 1`).join(', ')})`);
    const item = search.items[0] as StrategyItem | EvaluatorItem;
    expect([item.$type, item.name]).toEqual([keyword === 'strategy' ? 'StrategyItem' : 'EvaluatorItem', name]);
    expect(names(item.args)).toEqual(settings);
  });

  it('every metric as an objective and in a constraint', () => {
    for (const metric of KNOWN_METRICS) {
      const search = parseSearch(`  maximize ${metric}\n  minimize ${metric}\n  constraint ${metric} <= 1`);
      expect(search.items.map((i) => ('metric' in i ? i.metric : undefined))).toEqual([metric, metric, metric]);
    }
  });

  it('every word keyword that cannot begin an expression names a setting', () => {
    // Words that begin an expression (`true`, `not`, `if`, ...) cannot name a setting without
    // making `f(not = 1)` ambiguous; every other keyword of the grammar must be accepted.
    const keywords = new Set<string>();
    for (const node of AstUtils.streamAllContents(NasGrammar())) if (GrammarAST.isKeyword(node)) keywords.add(node.value);
    const exprStarters = new Set(['true', 'false', 'not', 'if']);
    const words = [...keywords].filter((k) => /^[a-z_]+$/.test(k) && !exprStarters.has(k)).sort();
    expect(words).toContain('seed');
    const search = parseSearch(`  evaluator fake(${words.map((w) => `${w} = 1`).join(', ')})`);
    expect(names((search.items[0] as EvaluatorItem).args)).toEqual(words);
  });

  it('`seed` in an evaluator is checked and read as a setting, not as the search seed', async () => {
    const b = await build(
      'space S {\n  input(3, 8, 8)\n  output conv(choice(4, 8), k = 3)\n}\n' +
        'search A {\n  space S\n  strategy random\n  maximize accuracy\n  evaluator train(seed = 7, epochs = 1)\n  budget 2\n  seed 3\n}\n',
    );
    expect(b.diagnostics.map((d) => `${d.code}: ${d.message}`)).toEqual([]);
    const { spec } = readSearchSpec(b.root.elements.find((e) => e.$type === 'Search') as Search);
    expect(spec?.evaluator.settings.seed).toBe(7);
    expect(spec?.seed).toBe(3);
  });
});
