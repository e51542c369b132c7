/**
 * Weight names (docs/training.md, "Weight names"): module paths from the .nas structure, and
 * what keeps them: edits that do not touch a node leave its weights' names (and shapes) as
 * they were.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { elaborate, type Decider } from '../../src/core/semantics/evaluator';
import { describeModel } from '../../src/core/train/model-builder';
import { build } from '../helpers/nas';

const example = (file: string) => readFileSync(join(__dirname, '..', '..', 'examples', file), 'utf8');

/** name → shape of every tensor of the network `name` in `text`. */
async function tensors(text: string, name: string, decider?: Decider): Promise<Map<string, string>> {
  const b = await build(text);
  expect(b.errors.map((e) => e.message)).toEqual([]);
  const def = b.def(name);
  const spec = describeModel(elaborate(def, { decider }), def);
  return new Map(spec.nodes.flatMap((n) => n.params.map((p) => [p.name, p.shape.join('x')] as [string, string])));
}

/** Decides `key` as `fixed` says, every other choice 3 (conv3x3 in NB201), in a cell's key order. */
function nb201(fixed: Record<number, number> = {}): Decider {
  const order: string[] = [];
  return {
    decide: (key) => {
      if (!order.includes(key)) order.push(key);
      return fixed[order.indexOf(key)] ?? 3;
    },
  };
}

describe('weight names', () => {
  it('follow the network structure: instances, statement names and ops, with ordinals', async () => {
    const resnet = await tensors(example('resnet50.nas'), 'ResNet50');
    expect([...resnet.keys()].slice(0, 6)).toEqual(['conv.weight', 'bn.weight', 'bn.bias', 'bn.running_mean', 'bn.running_var', 'bn.num_batches_tracked']);
    // The second bottleneck, its first 1x1 conv; the fourth's (stage 2's first) shortcut.
    expect(resnet.get('Bottleneck_1.main.conv.weight')).toBe('1x1x256x64');
    expect(resnet.get('Bottleneck_3.short.conv.weight')).toBe('1x1x256x512');
    expect(resnet.get('Bottleneck_15.main.conv_2.weight')).toBe('1x1x512x2048');
    expect(resnet.get('fc.weight')).toBe('2048x1000');
    const cells = await tensors(example('nb201.nas'), 'NB201', nb201());
    // The 7th cell (stage 2's second), node n2's second edge.
    expect(cells.get('NB201Cell_6.n2.NB201Op_1.ReLUConvBN.conv.weight')).toBe('3x3x32x32');
    expect(cells.get('NB201ResBlock_1.a.ReLUConvBN_1.conv.weight')).toBe('3x3x64x64');
  });

  it('are unchanged by comments, blank lines and formatting', async () => {
    const text = example('darts_space.nas');
    const edited = text
      .replace('block DartsNode', '# a comment before a block\n\n\nblock DartsNode')
      .replace('  stem = conv(3 * C, k=3) -> bn', '  # the stem\n  stem   =   conv(3 * C,   k=3)   ->   bn   # trailing')
      .replace('cell NormalCell(C: int) {', '/** A doc comment. */\ncell NormalCell(C: int) {\n');
    expect(edited).not.toBe(text);
    const cyc = (): Decider => {
      let k = 0;
      return { decide: (_key, n) => k++ % n };
    };
    expect(await tensors(edited, 'DARTS', cyc())).toEqual(await tensors(text, 'DARTS', cyc()));
  });

  it('elsewhere are unchanged when a layer is added to the network or a block is added to the file', async () => {
    const text = example('nb201.nas');
    const before = await tensors(text, 'NB201', nb201());
    // A 1x1 conv after the first residual block: no name before or after it changes.
    const conv = await tensors(text.replace('NB201ResBlock(C * 2)', 'NB201ResBlock(C * 2) -> conv(C * 2, k=1)'), 'NB201', nb201());
    expect([...conv.keys()].filter((k) => !before.has(k))).toEqual(['conv_1.weight']);
    for (const [k, shape] of before) expect(conv.get(k), k).toBe(shape);
    // A batch norm there: the unnamed batch norms after it at the same level (the head's) move
    // one ordinal on, as documented; nothing else changes.
    const bn = await tensors(text.replace('NB201ResBlock(C * 2)', 'NB201ResBlock(C * 2) -> bn'), 'NB201', nb201());
    for (const [k, shape] of before) {
      if (k.startsWith('bn_1.')) expect(bn.get(k.replace('bn_1.', 'bn_2.')), k).toBe(shape);
      else expect(bn.get(k), k).toBe(shape);
    }
    // A new block elsewhere in the file renames nothing.
    const otherBlock = await tensors(text + '\nblock NB201Op2(C: int) {\n  conv(C, k=1) -> bn\n}\n', 'NB201', nb201());
    expect(otherBlock).toEqual(before);
  });

  it('of a block are unchanged when another block gains a layer', async () => {
    const net = (headExtra: string) => `import "std/blocks"
block Body(C: int) {
  input x
  a = x -> conv(C, k=3) -> bn -> relu
  add(a, x -> conv(C, k=1) -> bn)
}
block Head(K: int) {
  gap -> ${headExtra}fc(K)
}
network Net {
  input(3, 16, 16)
  stem = conv(8, k=3) -> bn
  Body(8) -> Body(8)
  Head(10)
}`;
    const before = await tensors(net(''), 'Net');
    const after = await tensors(net('fc(32) -> relu -> '), 'Net');
    const outsideHead = (m: Map<string, string>) => new Map([...m].filter(([k]) => !k.startsWith('Head.')));
    expect(outsideHead(after)).toEqual(outsideHead(before));
    expect(after.get('Head.fc_1.weight')).toBe('32x10');
  });

  it('of earlier layers are unchanged when layers are appended, and of other edges when one edge changes its op', async () => {
    const text = example('resnet50.nas');
    const before = await tensors(text, 'ResNet50');
    const after = await tensors(text.replace('  gap -> fc(classes)', '  conv(256, k=1) -> bn -> relu\n  gap -> fc(classes)'), 'ResNet50');
    for (const [k, shape] of before) if (k !== 'fc.weight') expect(after.get(k), k).toBe(shape);
    // NB201: edge 4 of the cell becomes a 1x1 conv; the other five edges keep their names.
    const a = await tensors(example('nb201.nas'), 'NB201', nb201());
    const b = await tensors(example('nb201.nas'), 'NB201', nb201({ 4: 2 }));
    const changed = [...a.keys()].filter((k) => b.get(k) !== a.get(k));
    expect(changed.length).toBeGreaterThan(0);
    for (const k of changed) expect(k).toMatch(/^NB201Cell(_\d+)?\.n3\.NB201Op_1\./);
  });
});
