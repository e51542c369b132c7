/**
 * The documentation of the built-in ops, functions and std blocks is shown as Markdown in hovers
 * and completion: a formula written bare (`k*k*(in/groups)*out`) renders as italics with its
 * `*` eaten. Every doc comment is rendered by a Markdown renderer and must have no emphasis.
 */
import { describe, expect, it } from 'vitest';
import { marked } from 'marked';
import { OPS_SOURCE } from '../../src/core/stdlib/ops.js';
import { BLOCKS_SOURCE } from '../../src/core/stdlib/blocks.js';

const sources: string[] = [OPS_SOURCE, BLOCKS_SOURCE];
const docs = sources.flatMap((src) => [...src.matchAll(/\/\*\*([\s\S]*?)\*\//g)].map((m) => m[1]!.replace(/^\s*\* ?/gm, '').trim()));

describe('built-in documentation as Markdown', () => {
  it('has doc comments to check', () => {
    expect(docs.length).toBeGreaterThan(40);
  });

  it.each(docs.map((d) => [d.split('\n')[0]!.slice(0, 60), d]))('renders without emphasis: %s', async (_title, doc) => {
    const html = await marked.parse(doc);
    expect(html).not.toMatch(/<em>|<strong>/);
  });
});
