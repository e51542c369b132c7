/**
 * `nas sample FILE [--seed S] [--count N] [--space NAME]`: uniformly sampled architectures as
 * canonical .nas text; `--arch ENCODING` prints one given architecture instead (the editor's
 * search dashboard opens a trial this way).
 */
import type { Command } from 'commander';
import { formatDiagnostic, loadFiles, modelsOf, UsageError } from '../load.js';
import { ArchitectureSpace } from '../../core/search/architecture-space.js';
import { describeArchitecture } from '../../core/search/describe.js';
import { Rng } from '../../core/util/random.js';
import { decodeDecisions } from '../../core/semantics/space.js';
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
    .option('--arch <encoding>', 'print this architecture (key=option;... as a trial records it) instead of sampling')
    .option('--json', 'print an array of {space, id, encoding, params, macs, text}')
    .action(async (file: string, opts: { space?: string; seed: number; count: number; arch?: string; json?: boolean }) => {
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
      const space = new ArchitectureSpace(def);
      const rng = new Rng(opts.seed);
      const out: SampleJson[] = [];
      const given = opts.arch?.replace(/;+$/, '');
      if (given !== undefined && !/^([^;=]+=\d+)(;[^;=]+=\d+)*$/.test(given)) {
        throw new UsageError(`--arch needs key=option;... as \`nas sample --json\` prints it, found "${opts.arch}"`);
      }
      for (let i = 0; i < (given === undefined ? opts.count : 1); i++) {
        const a = given === undefined ? space.sample(rng) : space.fromDecisions(decodeDecisions(given), rng);
        if (given !== undefined && a.encoding !== given) {
          process.stderr.write(`nas sample: the space ${def.name} took ${a.encoding} for --arch ${given} (keys it does not have were ignored)\n`);
        }
        const id = space.id(a);
        const t = space.costs(a);
        const text = describeArchitecture(space, a, 'nas', {
          name: `${def.name}_${id.slice(0, 8)}`,
          header: [
            given === undefined ? `sampled from space ${def.name} (seed ${opts.seed}, #${i + 1})` : `an architecture of space ${def.name}`,
            `id ${id}; params ${t.params.toLocaleString('en-US')}; MACs ${formatSI(t.macs, 4)}`,
            `choices: ${a.encoding}`,
          ],
        });
        out.push({ space: def.name, id, encoding: a.encoding, params: t.params, macs: t.macs, text });
      }
      if (opts.json) process.stdout.write(JSON.stringify(out, null, 2) + '\n');
      else process.stdout.write(out.map((o) => o.text).join('\n'));
    });
}
