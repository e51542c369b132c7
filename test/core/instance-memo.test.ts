/**
 * The instance memo (evaluator/instance-memo.ts, InstanceRecord) replays recorded block and cell instances
 * instead of interpreting them again. A replay must be indistinguishable from running the
 * body: every elaboration here is done twice, once interpreting every instance (memo off) and
 * once replaying wherever a record exists, and the two results are compared field by field —
 * graph nodes, statement bookkeeping (hints), diagnostics and choice traces.
 */
import * as fs from 'node:fs';
import * as v8 from 'node:v8';
import * as vm from 'node:vm';
import { describe, expect, it } from 'vitest';
import { URI, type AstNode } from 'langium';
import { build } from '../helpers/nas.js';
import { elaborate, type Decider, type ElaborationResult } from '../../src/core/semantics/evaluator/index.js';
import type { Definition, Document } from '../../src/core/language/syntax/generated/ast.js';
import { NasWorkspace } from '../../src/core/workspace.js';

const EXAMPLES = fs.readdirSync(new URL('../../examples/', import.meta.url)).filter((f) => f.endsWith('.nas'));

/** A fixed pseudo-random decider: the same key always takes the same option. */
function hashDecider(seed: number): Decider {
  return {
    decide(key: string, options: number): number {
      let h = seed | 0;
      for (let i = 0; i < key.length; i++) h = Math.imul(h ^ key.charCodeAt(i), 16777619);
      return (h >>> 0) % options;
    },
  };
}

function snapshot(r: ElaborationResult): unknown {
  const positions = (n: AstNode | undefined) => (n ? `${n.$type}@${n.$cstNode?.offset}` : undefined);
  return {
    nodes: r.graph.nodes.map((n) => ({
      id: n.id,
      op: n.op,
      attrs: n.attrs,
      defaults: n.defaults,
      inputs: n.inputs,
      shape: n.shape,
      params: n.params,
      macs: n.macs,
      acts: n.acts,
      scope: n.scope,
      source: positions(n.source),
      choiceKeys: n.choiceKeys,
    })),
    consumers: r.graph.nodes.map((n) => r.graph.consumersOf(n.id)),
    statements: [...r.statements].map(([stmt, info]) => ({
      stmt: positions(stmt),
      first: info.first,
      end: info.end,
      instances: info.instances,
      output: info.output,
    })),
    steps: r.steps,
    output: r.output,
    input: r.input,
    diagnostics: r.diagnostics.map((d) => ({ ...d, node: positions(d.node) })),
    trace: r.trace.map((t) => ({ ...t, site: positions(t.site) })),
    crossStepKeys: [...r.crossStepKeys],
  };
}

function expectSameElaboration(def: Definition, decider?: Decider): ElaborationResult {
  const plain = elaborate(def, { decider, memo: false });
  // Twice with the memo: the first run may record, the second replays what was recorded.
  elaborate(def, { decider });
  const replayed = elaborate(def, { decider });
  expect(snapshot(replayed)).toEqual(snapshot(plain));
  expect(plain.replays).toBe(0);
  return replayed;
}

describe('instance memo', () => {
  it('changes nothing on the reference networks and spaces', async () => {
    let checked = 0;
    const replays = new Map<string, number>();
    for (const file of EXAMPLES) {
      const text = fs.readFileSync(new URL(`../../examples/${file}`, import.meta.url), 'utf8');
      const b = await build(text);
      for (const e of b.root.elements) {
        if (e.$type !== 'Definition' || (e.kind !== 'network' && e.kind !== 'space')) continue;
        const r = expectSameElaboration(e);
        replays.set(e.name, r.replays);
        if (e.kind === 'space') for (const seed of [1, 2, 3]) expectSameElaboration(e, hashDecider(seed));
        checked++;
      }
    }
    expect(checked).toBeGreaterThanOrEqual(11);
    // Once recorded (validation elaborated the file when it was built), each of ResNet-50's 16
    // bottleneck instances is replayed: they are 8 distinct configurations.
    expect(replays.get('ResNet50')).toBe(16);
    expect(replays.get('MobileNetV2')).toBeGreaterThan(0);
  });

  it('keeps apart what a replay could confuse: aliased inputs, the network input, repeats, errors, arguments', async () => {
    const b = await build(`import "std/blocks"
cell Pair {
  input a, b
  l = a -> conv(a.c, k=3) -> bn
  r = b -> conv(a.c, k=1)
  add(l, r)
}
block Tail(C: int) {
  input x
  x -> conv(C, k=1) -> bn -> relu
  conv(C, k=3) -> bn -> relu
}
block Stack(C: int, n: int) {
  input x
  x -> Tail(C) * n
}
block Bad(C: int) {
  input x
  x -> conv(C, k=3, groups=3)
}
block Named(C: int, act: string = "relu", widths: list = [1, 2]) {
  input x
  y = x -> conv(C * widths[1], k=3)
  y -> if act == "relu" then relu else sigmoid
}
network Mixed {
  input(3, 32, 32)
  Pair
  conv(16, k=3) -> bn -> relu
  Pair
  Pair
  s = Stack(16, 3)
  t = Stack(16, 3)
  u = Stack(24, 2)
  v = s -> Stack(16, 3)
  Bad(16)
  Bad(18)
  w = v -> Bad(16)
  n1 = u -> Named(8)
  n2 = u -> Named(8, "sigmoid")
  n3 = u -> Named(8, widths=[3, 4])
  n4 = u -> Named(8)
  BasicBlock(16, stride=2)
  BasicBlock(16)
  BasicBlock(16)
  gap -> fc(10)
}
`);
    const r = expectSameElaboration(b.def('Mixed'));
    expect(r.replays).toBeGreaterThan(5);
    // The file has what it claims: one error (16 channels in 3 groups), reported once.
    expect(r.diagnostics.filter((d) => d.code !== 'dead-node').map((d) => d.code)).toEqual(['groups-divisibility']);
    expect(r.graph.nodes.length).toBeGreaterThan(60);
  });

  it('changes nothing on a large generated file with 1,700 block instances', async () => {
    const { generateLargeFile } = await import('../../bench/generated-file.js');
    const b = await build(generateLargeFile(2000));
    let nodes = 0;
    let replays = 0;
    for (const e of b.root.elements) {
      if (e.$type !== 'Definition' || e.kind !== 'network') continue;
      const r = expectSameElaboration(e);
      nodes += r.graph.nodes.length;
      replays += r.replays;
    }
    expect(nodes).toBeGreaterThan(5000);
    expect(replays).toBeGreaterThan(300);
  });
});

describe('instance records', () => {
  it('do not keep a closed document alive (a record of a standard-library block outlives every document)', async () => {
    // The records of Bottleneck and MBConv outlive the document; Act's die with it.
    v8.setFlagsFromString('--expose-gc');
    const gc = vm.runInNewContext('gc') as () => void;
    const ws = new NasWorkspace();
    const uri = URI.file('/virtual/instance-records-leak.nas');
    // In a function of its own, so that no local of the test keeps the document.
    const open = async (): Promise<WeakRef<object>> => {
      // A library block applied three times, and one given a block of this document as its
      // activation (its nodes then come from this document too).
      const text = [
        'import "std/blocks"',
        'block Act {',
        '  input x',
        '  x -> sigmoid',
        '}',
        'network N {',
        '  input(64, 8, 8)',
        '  Bottleneck(16) * 3',
        '  MBConv(64, act=Act) * 2',
        '  gap -> fc(10)',
        '}',
        '',
      ].join('\n');
      const doc = await ws.addText(text, uri);
      expect(ws.diagnostics(doc)).toEqual([]);
      const def = (doc.parseResult.value as Document).elements.find((e) => e.name === 'N') as Definition;
      expect(elaborate(def).replays).toBeGreaterThan(0);
      return new WeakRef(doc.parseResult.value);
    };
    const root = await open();
    await ws.removeDocument(uri);
    for (let i = 0; i < 3 && root.deref(); i++) {
      await new Promise((resolve) => setTimeout(resolve, 0));
      gc();
    }
    expect(root.deref()).toBeUndefined();
  });
});
