/**
 * Completion through the real client at the positions where VS Code's word list used to stand
 * in for it: the value of a named node (`x = `), inside an argument list (`conv(8, `), the
 * options of a choice, an attribute's enumerable values and a search block's vocabulary.
 * Every answer is complete (`isIncomplete: false`), so VS Code filters it instead of mixing in
 * words from the file.
 */
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CompletionItem, CompletionList } from 'vscode-languageserver-protocol';
import { CompletionItemKind } from 'vscode-languageserver-protocol';
import { LspClient, fileUri, tempDir } from './client.js';
import { EVALUATORS, KNOWN_METRICS, PENDING_EVALUATORS, STRATEGIES, strategySpec } from '../../src/core/search/vocabulary.js';

let client: LspClient;
let dir: string;
let files = 0;

beforeAll(async () => {
  dir = tempDir();
  client = await LspClient.start(dir);
});

afterAll(async () => {
  await client?.stop();
});

/** The items at the one `<|>` of `marked`, in the order VS Code shows them before anything is typed. */
async function completeAt(marked: string): Promise<{ list: CompletionList; labels: string[]; items: CompletionItem[] }> {
  const uri = fileUri(path.join(dir, `complete-${files++}.nas`));
  const { cursors } = await client.openMarked(uri, marked);
  const list = await client.connection.sendRequest<CompletionList>('textDocument/completion', { textDocument: { uri }, position: cursors[0]! });
  // VS Code's order: by sortText, then by label (the label stands in for a missing sortText).
  const items = [...list.items].sort((a, b) => (a.sortText ?? a.label).localeCompare(b.sortText ?? b.label) || a.label.localeCompare(b.label));
  return { list, items, labels: items.map((i) => i.label) };
}

const HEAD = 'import "std/blocks"\n# a comment with a typo: convv\nnetwork N(C: int = 8) {\n  input(3, 8, 8)\n  stem = conv(C, k=3)\n';
const TAIL = '\n}\n';

describe('in a network', () => {
  it('after `x = `: the names in scope, locals first, complete, no words from comments', async () => {
    const { list, labels, items } = await completeAt(`${HEAD}  x = <|>${TAIL}`);
    expect(list.isIncomplete).toBe(false);
    expect(labels.slice(0, 2)).toEqual(['C', 'stem']);
    expect(labels).toEqual(expect.arrayContaining(['conv', 'bn', 'BasicBlock', 'choice', 'repeat']));
    expect(labels).not.toContain('convv');
    // Type names are keywords only after `:`.
    expect(labels).not.toContain('int');
    expect(items.find((i) => i.label === 'conv')!.detail).toMatch(/^op conv\(out: int, k: int = 1/);
    expect(items.find((i) => i.label === 'BasicBlock')!.kind).toBe(CompletionItemKind.Class);
  });

  it('after `x = c`: the names that match', async () => {
    const { list, labels } = await completeAt(`${HEAD}  x = c<|>${TAIL}`);
    expect(list.isIncomplete).toBe(false);
    expect(labels).toEqual(expect.arrayContaining(['C', 'conv', 'concat', 'choice', 'ConvBNReLU']));
    expect(labels).not.toContain('bn');
  });

  it("inside `conv(8, `: conv's attributes not given yet, then numbers' names, no layers", async () => {
    const { labels, items } = await completeAt(`${HEAD}  x = stem -> conv(8, <|>${TAIL}`);
    expect(labels.slice(0, 8)).toEqual(['k =', 'stride =', 'pad =', 'dilation =', 'groups =', 'bias =', 'kh =', 'kw =']);
    expect(items[0]!.insertText).toBe('k = ');
    expect(items[0]!.detail).toBe('conv(k: int = 1)');
    expect(labels).toContain('C');
    for (const layer of ['BasicBlock', 'bn', 'stem']) expect(labels).not.toContain(layer);
  });

  it('inside `conv(8, k=3, `: the attributes given by name are not offered again', async () => {
    const { labels } = await completeAt(`${HEAD}  x = conv(8, k=3, <|>)${TAIL}`);
    expect(labels.filter((l) => l.endsWith(' ='))).toEqual(['stride =', 'pad =', 'dilation =', 'groups =', 'bias =', 'kh =', 'kw =']);
  });

  it('after `bias = `: true and false only', async () => {
    const { labels } = await completeAt(`${HEAD}  x = conv(8, bias = <|>${TAIL}`);
    expect(labels).toEqual(['true', 'false']);
  });

  it('in a choice of layers: ops and blocks first, no numbers', async () => {
    const { labels } = await completeAt(`${HEAD}  x = stem -> choice(<|>${TAIL}`);
    expect(labels.slice(0, 5)).toEqual(['ACBlock', 'ACDeploy', 'add', 'avgpool', 'BasicBlock']);
    expect(labels).toEqual(expect.arrayContaining(['conv', 'identity', 'zero', 'SepConv', 'stem']));
    expect(labels).not.toContain('C');
  });

  it('in a choice of numbers (`k = choice(`): no layers', async () => {
    const { labels } = await completeAt(`${HEAD}  x = conv(8, k = choice(<|>${TAIL}`);
    expect(labels[0]).toBe('C');
    for (const layer of ['conv', 'BasicBlock', 'stem']) expect(labels).not.toContain(layer);
  });
});

describe('in a search block', () => {
  const search = (body: string) => `space S {\n  input(3, 8, 8)\n  conv(choice(8, 16))\n}\nsearch Find {\n${body}\n}\n`;

  it('strategies, evaluators that run, and metrics, from the search vocabulary', async () => {
    expect((await completeAt(search('  strategy <|>'))).labels).toEqual(STRATEGIES.map((s) => s.name));
    const evaluators = (await completeAt(search('  evaluator <|>'))).labels;
    expect(evaluators).toEqual(EVALUATORS.filter((e) => !PENDING_EVALUATORS.has(e.name)).map((e) => e.name));
    expect(evaluators).toContain('train');
    expect(evaluators).toContain('supernet');
    expect((await completeAt(search('  maximize <|>'))).labels).toEqual([...KNOWN_METRICS]);
    expect((await completeAt(search('  constraint <|>'))).labels).toEqual([...KNOWN_METRICS]);
    expect((await completeAt(search('  space <|>'))).labels).toEqual(['S']);
  });

  it("a strategy's settings, then a setting's values", async () => {
    const settings = (await completeAt(search('  strategy nsga2(population = 20, <|>)'))).labels;
    expect(settings).toEqual(
      strategySpec('nsga2')!
        .settings.map((s) => `${s.name} =`)
        .filter((s) => s !== 'population ='),
    );
    expect((await completeAt(search('  strategy nsga2(init = <|>)'))).labels).toEqual(['"random"', '"spread"']);
    expect((await completeAt(search('  evaluator benchmark(dataset = "c<|>")'))).labels).toEqual(['cifar10', 'cifar100', 'imagenet16-120']);
  });

  it('the item keywords at the start of a line', async () => {
    const { list, labels } = await completeAt(search('  <|>'));
    expect(list.isIncomplete).toBe(false);
    expect([...labels].sort()).toEqual(['budget', 'constraint', 'evaluator', 'maximize', 'minimize', 'seed', 'space', 'strategy']);
  });
});
