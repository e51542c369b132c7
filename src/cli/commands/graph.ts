/**
 * `nas graph FILE [--network N | --cell N] [--arch ENCODING | --seed S] [--expand all|none|NAME...]
 * [--compare ENCODING] [--theme light|dark] --out picture.svg|png`: draws a network, or one of its cells, as the
 * editor's graph view does (same layout, same picture). The work is in graph-run.ts, a bundle
 * of its own (dist/cli-graph.cjs) loaded only here: the layout engine alone is 1.6 MB of
 * JavaScript that other commands should not parse.
 *
 * Exit codes: 0 written; 1 the file has errors; 2 usage or I/O errors.
 */
import { InvalidArgumentError, Option, type Command } from 'commander';
import * as path from 'node:path';
import { UsageError } from '../load.js';
import { seedOption } from '../options.js';
import { checkOutputTarget } from '../write-whole.js';

export interface GraphCommandOptions {
  network?: string;
  cell?: string;
  arch?: string;
  seed?: number;
  compare?: string;
  expand?: string[];
  theme: 'light' | 'dark';
  color: 'family' | 'macs' | 'params';
  direction: 'down' | 'right';
  options?: boolean;
  hideZero?: boolean;
  scale: number;
  out: string;
}

export function register(program: Command): void {
  program
    .command('graph')
    .description('draw a network, space or cell as an SVG or PNG picture (the editor graph view, headless)')
    .argument('<file>', '.nas file')
    .option('--network <name>', 'the network or space to draw (default: the first of the file)')
    .option('--cell <name>', 'draw this cell or block, as instantiated in the network, instead of the network')
    .option('--arch <encoding>', 'the architecture of a space, as `nas sample` prints it (key=option;...); absent keys take option 0')
    .option('--seed <n>', 'draw an architecture sampled uniformly with this seed', seedOption)
    .option('--compare <encoding>', 'draw this architecture beside the first (--arch, --seed or all first options), their differences marked')
    .option('--expand <names...>', 'expand blocks, cells and repeats: all, none (default) or block names')
    .addOption(new Option('--theme <theme>', 'colours of VS Code default theme').choices(['light', 'dark']).default('light'))
    .addOption(new Option('--color <by>', 'colour boxes by op family or by cost').choices(['family', 'macs', 'params']).default('family'))
    .addOption(new Option('--direction <dir>', 'layout direction').choices(['down', 'right']).default('down'))
    .option('--options', "in a space's cell, list each choice's options on its edge and draw the inputs not taken")
    .option('--hide-zero', 'leave zero ops out instead of drawing them dashed')
    .option(
      '--scale <n>',
      'PNG pixels per SVG unit',
      (v) => {
        const n = Number(v);
        if (!(n > 0 && n <= 8)) throw new InvalidArgumentError('--scale must be a number in (0, 8]');
        return n;
      },
      2,
    )
    .requiredOption('--out <file>', 'the picture to write: .svg or .png')
    .action(async (file: string, opts: GraphCommandOptions) => {
      const ext = path.extname(opts.out).toLowerCase();
      if (ext !== '.svg' && ext !== '.png') throw new UsageError(`--out must end in .svg or .png, found ${opts.out}`);
      if (opts.arch !== undefined && opts.seed !== undefined) throw new UsageError('give --arch or --seed, not both');
      checkOutputTarget(opts.out, `--out ${opts.out}`);
      const { runGraph } = await import('./graph-run.js');
      const result = await runGraph(file, opts);
      if (typeof result !== 'number') throw new UsageError(result.usage);
      process.exitCode = result;
    });
}
