/** `nas sample FILE [--seed S] [--count N] [--space NAME]`: uniformly sampled architectures as canonical .nas text. */
import type { Command } from 'commander';
import { formatDiagnostic, loadFiles, modelsOf, UsageError } from '../load.js';
import { SpaceSampler } from '../../core/semantics/space.js';
import { printArchitecture } from '../../core/semantics/print-architecture.js';
import { Rng } from '../../core/util/random.js';
import { formatSI } from '../../shared/format-number.js';
import type { SampleJson } from '../json-types.js';

function parseIntOption(name: string, min: number) {
  return (v: string): number => {
    const n = Number(v);
    if (!Number.isInteger(n) || n < min) throw new UsageError(`--${name} needs an integer >= ${min}, found ${v}`);
    return n;
  };
}

export function register(program: Command): void {
  program
    .command('sample')
    .description('print architectures sampled uniformly from a space, as canonical .nas text')
    .argument('<file>', '.nas file')
    .option('--space <name>', 'the space to sample (default: the first space of the file)')
    .option('--seed <n>', 'random seed', parseIntOption('seed', 0), 0)
    .option('--count <n>', 'how many architectures', parseIntOption('count', 1), 1)
    .option('--json', 'print an array of {space, id, encoding, params, macs, text}')
    .action(async (file: string, opts: { space?: string; seed: number; count: number; json?: boolean }) => {
      const [loaded] = await loadFiles([file]);
      const errors = loaded!.diagnostics.filter((d) => d.severity === 'error');
      if (errors.length) {
        for (const d of errors) process.stderr.write(formatDiagnostic(d) + '\n');
        process.exitCode = 1;
        return;
      }
      const spaces = modelsOf(loaded!.root, opts.space).filter((m) => m.kind === 'space' || opts.space);
      const def = spaces[0];
      if (!def) throw new UsageError(`${file} has no space to sample`);
      const sampler = new SpaceSampler(def);
      const rng = new Rng(opts.seed);
      const out: SampleJson[] = [];
      for (let i = 0; i < opts.count; i++) {
        const a = sampler.sample(rng);
        const t = a.result.graph.totals();
        const name = `${def.name}_${a.id.slice(0, 8)}`;
        const text = printArchitecture(a.result.graph, a.result.output!.node, {
          name,
          header: [
            `sampled from space ${def.name} (seed ${opts.seed}, #${i + 1})`,
            `id ${a.id}; params ${t.params.toLocaleString('en-US')}; MACs ${formatSI(t.macs, 4)}`,
            `choices: ${a.encoding}`,
          ],
        });
        out.push({ space: def.name, id: a.id, encoding: a.encoding, params: t.params, macs: t.macs, text });
      }
      if (opts.json) process.stdout.write(JSON.stringify(out, null, 2) + '\n');
      else process.stdout.write(out.map((o) => o.text).join('\n'));
    });
}
