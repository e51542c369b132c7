/** `nas sample FILE [--seed S] [--count N] [--space NAME]`: uniformly sampled architectures as canonical .nas text. */
import type { Command } from 'commander';
import { formatDiagnostic, loadFiles, modelsOf, UsageError } from '../load.js';
import { SpaceAnalysisError } from '../../core/semantics/space.js';
import { ArchitectureSpace } from '../../core/search/architecture-space.js';
import { describeArchitecture } from '../../core/search/describe.js';
import { Rng } from '../../core/util/random.js';
import { formatSI } from '../../shared/format-number.js';
import type { SampleJson } from '../json-types.js';
import { integerOption, MAX_SAMPLE_COUNT, seedOption } from '../options.js';
import { JsonArrayWriter, writeOut } from '../stream-output.js';
import { printable } from '../printable.js';
import { approximateFields, formatCount } from '../figures-text.js';

export function register(program: Command): void {
  program
    .command('sample')
    .description('print architectures sampled uniformly from a space, as canonical .nas text')
    .argument('<file>', '.nas file')
    .option('--space <name>', 'the space to sample (default: the first space of the file)')
    .option('--seed <n>', 'random seed, an integer from 0 to 2^32 - 1', seedOption, 0)
    .option('--count <n>', `how many architectures (at most ${MAX_SAMPLE_COUNT.toLocaleString('en-US')})`, integerOption('count', 1, MAX_SAMPLE_COUNT), 1)
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
      // Uniform over the space (as SpaceSampler: structural keys weighted by what they lead to).
      let space: ArchitectureSpace;
      try {
        space = new ArchitectureSpace(def);
      } catch (e) {
        if (!(e instanceof SpaceAnalysisError)) throw e;
        process.stderr.write(printable(`${file}: ${e.message}`) + '\n');
        process.exitCode = 1;
        return;
      }
      const rng = new Rng(opts.seed);
      const json = opts.json ? new JsonArrayWriter() : undefined;
      // Each architecture is printed as soon as it is sampled: a long run shows its progress
      // and holds one architecture at a time.
      for (let i = 0; i < opts.count; i++) {
        const a = space.sample(rng);
        const id = space.id(a);
        const t = space.costs(a);
        const text = describeArchitecture(space, a, 'nas', {
          name: `${def.name}_${id.slice(0, 8)}`,
          header: [
            `sampled from space ${def.name} (seed ${opts.seed}, #${i + 1})`,
            `id ${id}; params ${formatCount(t.params)}; MACs ${formatSI(t.macs, 4)}`,
            `choices: ${a.encoding}`,
          ],
        });
        const sample: SampleJson = { space: def.name, id, encoding: a.encoding, params: t.params, macs: t.macs, text };
        const approximate = approximateFields({ params: t.params, macs: t.macs });
        if (approximate) sample.approximate = approximate;
        if (json) await json.add(sample);
        else await writeOut(i === 0 ? text : `\n${text}`);
      }
      await json?.close();
    });
}
