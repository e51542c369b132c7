/**
 * didChange → publishDiagnostics latency through a real LSP client (the bundled server over
 * stdio), p50 and p90 after warm-up, for a generated 5,000-line and a 200-line file; then the
 * inlay hint latency of the same files. Targets (issue 3): < 100 ms and < 10 ms p50.
 *
 *   npx tsx bench/lsp-bench.ts [--edits 30]
 */
import * as path from 'node:path';
import { LspClient, fileUri, tempDir } from '../test/lsp/client.js';

const edits = Number(process.argv[process.argv.indexOf('--edits') + 1]) || 30;

/** A ResNet-like network of `lines` statements: convs, named nodes and residual adds. */
export function generateNetwork(lines: number, variant: number): string {
  const body: string[] = ['  input(3, 64, 64)', '  x0 = conv(32, k=3) -> bn -> relu'];
  let i = 0;
  while (body.length < lines - 2) {
    i++;
    body.push(`  a${i} = x${i - 1} -> conv(32, k=3) -> bn -> relu`);
    body.push(`  b${i} = a${i} -> conv(32, k=${(i + variant) % 2 === 0 ? 3 : 1}) -> bn`);
    body.push(`  x${i} = add(x${i - 1}, b${i}) -> relu  # residual ${i}`);
  }
  return `network Generated {\n${body.join('\n')}\n}\n`;
}

function percentile(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(p * s.length))]!;
}

async function measure(client: LspClient, dir: string, lines: number): Promise<void> {
  const uri = fileUri(path.join(dir, `gen-${lines}.nas`));
  client.open(uri, generateNetwork(lines, 0));
  await client.waitForDiagnostics(uri);
  const latencies: number[] = [];
  const hints: number[] = [];
  const warmup = 5;
  for (let k = 1; k <= edits + warmup; k++) {
    const n = client.publishCount.get(uri)!;
    const text = generateNetwork(lines, k);
    const t0 = performance.now();
    client.change(uri, text);
    await client.waitForDiagnostics(uri, () => true, 60_000, n);
    const t1 = performance.now();
    await client.connection.sendRequest('textDocument/inlayHint', {
      textDocument: { uri },
      range: { start: { line: 0, character: 0 }, end: { line: lines + 2, character: 0 } },
    });
    const t2 = performance.now();
    if (k > warmup) {
      latencies.push(t1 - t0);
      hints.push(t2 - t1);
    }
  }
  const f = (x: number) => x.toFixed(1).padStart(7);
  console.log(
    `${String(lines).padStart(5)} lines  didChange→publishDiagnostics p50 ${f(percentile(latencies, 0.5))} ms  p90 ${f(percentile(latencies, 0.9))} ms   inlayHint p50 ${f(percentile(hints, 0.5))} ms  (${edits} edits)`,
  );
}

if (process.argv[1]?.endsWith('lsp-bench.ts')) {
  const dir = tempDir();
  const client = await LspClient.start(dir);
  try {
    await measure(client, dir, 200);
    await measure(client, dir, 5000);
  } finally {
    await client.stop();
  }
}
