/**
 * Validation: every diagnostic code on a small fixture, with the range it must cover and
 * the expected/found content of its message.
 */
import { describe, expect, it } from 'vitest';
import { build, textAt } from '../helpers/nas.js';

async function only(text: string, code: string) {
  const b = await build(text);
  const found = b.diagnostics.filter((d) => d.code === code);
  expect(found, `diagnostics: ${JSON.stringify(b.diagnostics.map((d) => [d.code, d.message]))}`).toHaveLength(1);
  return { d: found[0]!, at: textAt(text, found[0]!), all: b.diagnostics };
}

describe('diagnostics', () => {
  it('reports a syntax error and still builds the rest of the document', async () => {
    const b = await build(`network A {\n  input(3, 8, 8)\n  conv(8, k=3 -> bn\n}\nnetwork B {\n  input(3, 8, 8)\n  relu\n}\n`);
    // The parser notices the missing ')' at the closing brace and names the bracket; no semantic noise follows.
    expect(b.diagnostics.map((d) => [d.code, d.range.start.line, d.message])).toEqual([
      ['syntax', 3, 'expected `)`, found `}`: the `(` on line 3, column 7 is not closed'],
    ]);
    // The second network parsed: it is in the AST.
    expect(b.def('B').body).toHaveLength(2);
  });

  it('survives inputs on which the underlying parser throws, and says where the error is', async () => {
    // Langium 4.2.1's error recovery throws a TypeError on this input (nas-document-factory.ts).
    const b = await build('space S(a: int =  {\n  conv(4)\n}\nnetwork N {\n  input(3, 8, 8)\n  rleu\n}\n');
    expect(b.diagnostics[0]).toMatchObject({
      code: 'syntax',
      message: 'expected a number, a string, `true`, `false`, `[`, a name, `(`, `-`, `not` or `if`, found `{`',
    });
    expect(b.diagnostics[0]!.range.start).toEqual({ line: 0, character: 18 });
    // The rest of the document still parses and is checked.
    expect(b.diagnostics.map((d) => d.code)).toContain('unknown-name');
  });

  it('rejects recursion (a fuzzed DARTS cell that used the DARTS space hung the checker)', async () => {
    const b = await build(`block A(c: int) {\n  conv(c) -> B(c)\n}\nblock B(c: int) {\n  A(c)\n}\nspace S {\n  input(3, 8, 8)\n  A(4)\n  S\n}\n`);
    const codes = b.diagnostics.filter((d) => d.code === 'recursion').map((d) => [d.range.start.line, d.message]);
    expect(codes).toEqual([
      [4, 'block A uses itself (recursion is not allowed)'],
      [9, 'space S uses itself (recursion is not allowed)'],
    ]);
  });

  it('suggests a close name for an unknown one', async () => {
    const { d, at } = await only(`network A {\n  input(3, 8, 8)\n  conv(8, k=3) -> batchnorm\n  rleu\n}\n`.replace('batchnorm', 'bn'), 'unknown-name');
    expect(at).toBe('rleu');
    expect(d.message).toBe('unknown name `rleu`; did you mean `relu`?');
  });

  it('names the expected attributes of an op when one is unknown', async () => {
    const { d, at } = await only(`network A {\n  input(3, 8, 8)\n  conv(8, kernel=3)\n}\n`, 'unknown-attribute');
    expect(at).toBe('kernel');
    expect(d.message).toContain('conv has no attribute `kernel`');
    expect(d.message).toContain('out, k, stride');
  });

  it('checks attribute types and ranges', async () => {
    const t = await only(`network A {\n  input(3, 8, 8)\n  conv(8, k=2.5)\n}\n`, 'type-mismatch');
    expect(t.at).toBe('2.5');
    expect(t.d.message).toBe('`k` of conv must be an integer, found 2.5');
    const r = await only(`network A {\n  input(3, 8, 8)\n  conv(8, k=3, stride=0)\n}\n`, 'attribute-range');
    expect(r.at).toBe('stride=0');
    expect(r.d.message).toContain('`stride` must be an integer >= 1, found 0');
  });

  it('reports add of different shapes with both shapes', async () => {
    const { d, at } = await only(`network A {\n  input(3, 8, 8)\n  x = conv(8, k=3)\n  y = x -> conv(16, k=3)\n  add(x, y)\n}\n`, 'shape-mismatch');
    expect(at).toBe('add(x, y)');
    expect(d.message).toContain('expected 8×8×8, found 16×8×8');
    // Says "add" once, which operand differs and how to fix it.
    expect(d.message).toBe(
      'add: inputs of different shapes: input 2 is 16×8×8, input 1 is 8×8×8 (expected 8×8×8, found 16×8×8): the channels differ; project input 2 to 8 channels, e.g. `-> conv(8, k=1)` (inputs: `x` 8×8×8, `y` 16×8×8)',
    );
    expect(d.message.match(/add/g)).toHaveLength(1);
  });

  it('reports add of different spatial sizes with the fix on the larger input', async () => {
    const { d } = await only(`network A {\n  input(3, 8, 8)\n  x = conv(8, k=3)\n  y = x -> conv(8, k=3, stride=2)\n  x -> add(y)\n}\n`, 'shape-mismatch');
    expect(d.message).toContain('input 2 is 8×4×4, input 1 is 8×8×8');
    expect(d.message).toContain('give input 1 the same stride as the other, e.g. `-> avgpool(2)`');
    expect(d.message).toContain('(inputs: `x` 8×8×8, `y` 8×4×4)');
  });

  it('reports concat of different spatial sizes', async () => {
    const { d } = await only(`network A {\n  input(3, 8, 8)\n  x = conv(8, k=3)\n  y = x -> conv(8, k=3, stride=2)\n  concat(x, y)\n}\n`, 'shape-mismatch');
    expect(d.message).toContain('concat: inputs of different spatial sizes (channels may differ): input 2 is 4×4, input 1 is 8×8 (expected 8×8, found 4×4)');
  });

  it('reports channels not divisible by groups at the groups attribute', async () => {
    const { d, at } = await only(`network A {\n  input(3, 8, 8)\n  conv(8, k=3, groups=2)\n}\n`, 'groups-divisibility');
    expect(at).toBe('groups=2');
    expect(d.message).toContain('input channels 3 are not divisible by groups 2');
  });

  it('reports a resolution driven below 1', async () => {
    const { d } = await only(
      `network A {\n  input(3, 4, 4)\n  conv(8, k=3, stride=2)\n  conv(8, k=3, stride=2)\n  conv(8, k=3, stride=2, pad=0)\n}\n`,
      'resolution-below-one',
    );
    expect(d.range.start.line).toBe(4);
    expect(d.message).toContain('input 1, kernel 3, stride 2, padding 0, dilation 1 gives 0');
  });

  it('reports a cell input that does not exist, and a reference forming a cycle', async () => {
    const missing = await only(`cell C(c: int) {\n  input s0, s1\n  a = s2 -> conv(c)\n}\nspace S {\n  input(3, 8, 8)\n  C(4)\n}\n`, 'unknown-name');
    expect(missing.at).toBe('s2');
    expect(missing.d.message).toBe('unknown name `s2`; did you mean `s0`?');
    const cycle = await only(
      `cell C(c: int) {\n  input s0\n  a = b -> conv(c)\n  b = a -> conv(c)\n}\nspace S {\n  input(3, 8, 8)\n  C(4)\n}\n`,
      'use-before-definition',
    );
    expect(cycle.at).toBe('b');
    expect(cycle.d.message).toContain('cycle');
  });

  it('warns about a dead node', async () => {
    const { d, at } = await only(`network A {\n  input(3, 8, 8)\n  x = conv(8, k=3)\n  unused = x -> conv(4)\n  x -> relu\n}\n`, 'dead-node');
    expect(d.severity).toBe('warning');
    expect(at).toBe('unused = x -> conv(4)');
  });

  it('reports an empty choice and duplicate names', async () => {
    const e = await only(`space S {\n  input(3, 8, 8)\n  choice()\n}\n`, 'empty-choice');
    expect(e.at).toBe('choice()');
    const dup = await build(`block B(c: int) {\n  x = conv(c)\n  x = relu\n}\nblock B(c: int) { relu }\n`);
    expect(
      dup.diagnostics
        .filter((d) => d.code === 'duplicate-name')
        .map((d) => d.range.start.line)
        .sort(),
    ).toEqual([2, 4]);
  });

  it('reports unknown search metrics, strategies and evaluators with suggestions', async () => {
    const b = await build(
      `space S {\n  input(3, 8, 8)\n  conv(choice(8, 16))\n}\nsearch X {\n  space S\n  strategy evoluton\n  maximize acuracy\n  constraint macs <= 600M\n  evaluator benchmark\n}\n`,
    );
    const codes = b.diagnostics.map((d) => [d.code, d.message]);
    expect(codes).toContainEqual(['unknown-metric', expect.stringContaining('did you mean `accuracy`')]);
    expect(codes).toContainEqual(['unknown-strategy', expect.stringContaining('did you mean `evolution`')]);
    expect(b.errors).toHaveLength(2);
  });

  it('asks for `space` when a network has choices', async () => {
    const { at } = await only(`network N {\n  input(3, 8, 8)\n  conv(choice(8, 16))\n}\n`, 'choice-in-network');
    expect(at).toBe('choice(8, 16)');
  });

  it('reports a missing import at the import', async () => {
    const { d, at } = await only(`import "does/not/exist"\nnetwork N {\n  input(3, 8, 8)\n  relu\n}\n`, 'import-not-found');
    expect(at).toBe('"does/not/exist"');
    expect(d.message).toContain('cannot find imported file "does/not/exist"');
  });

  it('moves errors inside standard blocks to the call site in the user file', async () => {
    const { d, at } = await only(`import "std/blocks"\nnetwork N {\n  input(3, 8, 8)\n  BasicBlock(8, stride=0)\n}\n`, 'attribute-range');
    expect(at).toBe('BasicBlock(8, stride=0)');
    expect(d.message).toContain('`stride` must be an integer >= 1');
  });

  it('keeps reporting after the first error (one error does not hide the rest)', async () => {
    const b = await build(`network N {\n  input(3, 8, 8)\n  x = conv(8, k=3, groups=2)\n  y = x -> conv(8)\n  z = conv(8, kernl=3)\n}\n`);
    expect(b.errors.map((d) => d.code).sort()).toEqual(['groups-divisibility', 'unknown-attribute']);
  });

  it('type-checks layer parameters and missing required attributes', async () => {
    const { d } = await only(`network N {\n  input(3, 8, 8)\n  conv(k=3)\n}\n`, 'missing-argument');
    expect(d.message).toBe('conv needs `out` (int)');
  });
});
