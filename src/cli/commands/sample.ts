/**
 * `nas sample FILE [--seed S] [--count N] [--space NAME] [--flat]`: uniformly sampled
 * architectures as .nas text: each the space with its decisions fixed, a few lines that read
 * like the paper (describe.ts), or with `--flat` the network of primitive ops. `--arch ENCODING`
 * prints one given architecture instead (the editor's search dashboard opens a trial this way).
 */
import type { Command } from 'commander';
import { formatDiagnostic, loadFiles, modelsOf, UsageError } from '../load.js';
import { decodeDecisions, SpaceAnalysisError } from '../../core/semantics/space.js';
import { ArchitectureSpace } from '../../core/search/architecture-space.js';
import { describeArchitecture, importLine } from '../../core/search/describe.js';
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
    .option('--flat', 'print each architecture as a flat network of primitive ops')
    .option('--arch <encoding>', 'print this architecture (key=option;... as a trial records it) instead of sampling')
    .option('--json', 'print an array of {space, id, encoding, arch, params, macs, text}')
    .action(async (file: string, opts: { space?: string; seed: number; count: number; flat?: boolean; arch?: string; json?: boolean }) => {
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
      const given = opts.arch?.replace(/;+$/, '');
      if (given !== undefined && !/^([^;=]+=\d+)(;[^;=]+=\d+)*$/.test(given)) {
        throw new UsageError(`--arch needs key=option;... as \`nas sample --json\` prints it, found "${opts.arch}"`);
      }
      const json = opts.json ? new JsonArrayWriter() : undefined;
      // The readable form names the space: one import (from here) makes the output a file that checks.
      const head = opts.flat ? '' : `${importLine(space, { folder: process.cwd() })}\n`;
      // Each architecture is printed as soon as it is sampled: a long run shows its progress
      // and holds one architecture at a time.
      for (let i = 0; i < (given === undefined ? opts.count : 1); i++) {
        const a = given === undefined ? space.sample(rng) : space.fromDecisions(decodeDecisions(given), rng);
        if (given !== undefined && a.encoding !== given) {
          process.stderr.write(
            printable(`nas sample: the space ${def.name} took ${a.encoding} for --arch ${given} (keys it does not have were ignored)`) + '\n',
          );
        }
        const id = space.id(a);
        const t = space.costs(a);
        const header = [
          `${given === undefined ? `sampled from space ${def.name} (seed ${opts.seed}, #${i + 1})` : `an architecture of space ${def.name}`}: ${formatCount(t.params)} params, ${formatSI(t.macs, 4)} MACs, id ${id}`,
        ];
        if (opts.flat) header.push(`choices: ${a.encoding}`);
        const name = `${def.name}_${id.slice(0, 8)}`;
        // JSON texts check wherever they are written: they import the space's file by its absolute path.
        const text = describeArchitecture(space, a, opts.flat ? 'flat' : 'nas', { name, header, imports: opts.json && !opts.flat ? 'absolute' : undefined });
        const sample: SampleJson = {
          space: def.name,
          id,
          encoding: a.encoding,
          arch: describeArchitecture(space, a, 'summary'),
          params: t.params,
          macs: t.macs,
          text,
        };
        const approximate = approximateFields({ params: t.params, macs: t.macs });
        if (approximate) sample.approximate = approximate;
        if (json) await json.add(sample);
        else await writeOut(i === 0 ? head + text : `\n${text}`);
      }
      await json?.close();
    });
}
