/**
 * Child process of test/core/retention.test.ts (run with --expose-gc and the language server's
 * young generation): checks and removes a generated file round after round and prints, as
 * JSON, how much the old generation grew while two young-generation collections ran right
 * after each removal. A removed document that nothing keeps alive dies there and adds nothing;
 * one that something keeps alive for the young-generation collector is promoted whole.
 */
import * as v8 from 'node:v8';
import { URI } from 'langium';
import { NasWorkspace } from '../../src/core/workspace.js';
import type { Definition, Document } from '../../src/core/language/syntax/generated/ast.js';
import { elaborateCached } from '../../src/core/semantics/evaluator/index.js';
import { generateLargeFile } from '../../bench/generated-file.js';

const gc = (globalThis as { gc?: (options?: { type: 'minor' | 'major' }) => void }).gc;
if (!gc) throw new Error('run with --expose-gc');

const oldGeneration = (): number => v8.getHeapSpaceStatistics().reduce((sum, s) => (s.space_name === 'new_space' ? sum : sum + s.space_used_size), 0);

const lines = Number(process.argv[2] ?? 1000);
const rounds = Number(process.argv[3] ?? 8);
const text = generateLargeFile(lines);
const ws = new NasWorkspace();

/** One check, in a function of its own so that no variable of the loop holds the document. */
async function check(uri: URI): Promise<number> {
  const doc = await ws.addText(text, uri);
  let nets = 0;
  for (const e of (doc.parseResult.value as Document).elements) {
    if (e.$type === 'Definition' && e.kind === 'network') {
      elaborateCached(e as Definition).graph.totals();
      nets++;
    }
  }
  return nets;
}

const grown: number[] = [];
let networks = 0;
for (let i = 0; i < rounds; i++) {
  const uri = URI.file(`/retention/generated-${i}.nas`);
  networks = await check(uri);
  await ws.removeDocument(uri);
  // Let the removal's promises settle, then collect the young generation twice: the first
  // copies what it finds alive, the second promotes what is still alive.
  await new Promise((resolve) => setTimeout(resolve, 5));
  const before = oldGeneration();
  gc({ type: 'minor' });
  gc({ type: 'minor' });
  grown.push(oldGeneration() - before);
}
// What one document keeps alive, for scale: the old generation's growth when one is kept and
// promoted on purpose.
gc();
const base = oldGeneration();
const kept = await ws.addText(text, URI.file('/retention/kept.nas'));
gc({ type: 'minor' });
gc({ type: 'minor' });
const documentBytes = oldGeneration() - base;
process.stdout.write(JSON.stringify({ grown, documentBytes, networks, keptUri: kept.uri.toString() }));
