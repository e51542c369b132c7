/** The work of `nas graph` (graph.ts), in its own bundle with the layout engine and the rasterizer. */
import * as path from 'node:path';
import type { Definition } from '../../core/language/syntax/generated/ast.js';
import { decodeDecisions, SpaceSampler } from '../../core/semantics/space.js';
import { Rng } from '../../core/util/random.js';
import { architectureOf } from '../../core/views/from-elaboration.js';
import { buildView } from '../../core/views/build-view.js';
import { cellNames } from '../../core/views/cell-view.js';
import { layoutView, viewSize } from '../../core/views/elk-graph.js';
import { DARK, LIGHT } from '../../core/views/palette.js';
import { renderSvg } from '../../core/views/svg.js';
import { displayPath, formatDiagnostic, loadFiles, modelsOf, UsageError } from '../load.js';
import { writeWhole } from '../write-whole.js';
import type { GraphCommandOptions } from './graph.js';

/**
 * Boxes one picture may have. The layered layout's time grows faster than the boxes (a chain
 * of 3,000 took half a minute on a busy machine) and elkjs overflowed the stack on 50,000,
 * after a minute and a gigabyte.
 */
export const MAX_GRAPH_BOXES = 5_000;

/** Reads `--arch`: `key=option;...` as `nas sample` prints it. */
function parseArch(encoding: string): Map<string, number> {
  for (const part of encoding.split(';')) {
    if (part === '') continue;
    const eq = part.lastIndexOf('=');
    const option = Number(part.slice(eq + 1));
    if (eq <= 0 || !Number.isInteger(option) || option < 0)
      throw new UsageError(`--arch: expected key=option pairs separated by ';' (as nas sample prints), found '${part}'`);
  }
  return decodeDecisions(encoding.replace(/;+$/, ''));
}

/**
 * Draws as asked; a usage error comes back as its message (this bundle's UsageError is not
 * the class dist/cli.cjs checks for).
 */
export async function runGraph(file: string, opts: GraphCommandOptions): Promise<number | { usage: string }> {
  try {
    return await draw(file, opts);
  } catch (e) {
    if (e instanceof UsageError) return { usage: e.message };
    throw e;
  }
}

async function draw(file: string, opts: GraphCommandOptions): Promise<number> {
  const [loaded] = await loadFiles([file]);
  const errors = loaded!.diagnostics.filter((d) => d.severity === 'error');
  if (errors.length) {
    for (const d of errors) process.stderr.write(formatDiagnostic(d) + '\n');
    return 1;
  }
  const models = modelsOf(loaded!.root, opts.network);
  if (models.length === 0) throw new UsageError(`${file} has no network or space to draw`);
  const decisions = (def: Definition): Map<string, number> | undefined => {
    if (opts.arch === undefined && opts.seed === undefined) return undefined;
    if (def.kind !== 'space') throw new UsageError(`${def.name} is a network: it has no choices for --arch or --seed`);
    return opts.arch !== undefined ? parseArch(opts.arch) : new Map(new SpaceSampler(def).sample(new Rng(opts.seed!)).decisions);
  };
  // With --cell and no --network: the first network or space that uses the cell.
  let def = models[0]!;
  let arch = architectureOf(def, { decisions: decisions(def) });
  if (opts.cell && opts.network === undefined) {
    for (const m of models) {
      const a = m === def ? arch : architectureOf(m, { decisions: decisions(m) });
      if (cellNames(a.graph).includes(opts.cell)) {
        def = m;
        arch = a;
        break;
      }
    }
  }
  const { graph } = arch;
  const checkKeys = (flag: string, encoding: string, reachedIn: typeof graph): void => {
    const reached = new Map(reachedIn.choices.map((c) => [c.key, c]));
    for (const [key, option] of parseArch(encoding)) {
      const c = reached.get(key);
      if (!c)
        throw new UsageError(
          `${flag}: ${key} is not a choice of ${def.name} (its choices are keyed like ${reachedIn.choices[0]?.key ?? 'nothing: it has none'})`,
        );
      if (option >= c.options) throw new UsageError(`${flag}: ${key} has ${c.options} options (0 to ${c.options - 1}), found ${option}`);
    }
  };
  if (opts.arch !== undefined) checkKeys('--arch', opts.arch, graph);
  let other: { graph: typeof graph; labels: [string, string] } | undefined;
  if (opts.compare !== undefined) {
    if (def.kind !== 'space') throw new UsageError(`${def.name} is a network: it has no choices to --compare`);
    const second = architectureOf(def, { decisions: parseArch(opts.compare) }).graph;
    checkKeys('--compare', opts.compare, second);
    other = { graph: second, labels: [opts.arch !== undefined ? '--arch' : opts.seed !== undefined ? `seed ${opts.seed}` : 'first options', '--compare'] };
  }
  if (graph.errors.length) {
    for (const e of graph.errors) process.stderr.write(`${displayPath(file)}: error ${def.name}: ${e}\n`);
    return 1;
  }
  const expand = opts.expand === undefined || opts.expand.includes('none') ? [] : opts.expand.includes('all') ? 'all' : opts.expand;
  const view = buildView(
    graph,
    {
      cell: opts.cell,
      expand,
      direction: opts.direction === 'right' ? 'RIGHT' : 'DOWN',
      hideZero: opts.hideZero,
      space: opts.options,
    },
    other,
  );
  if (!view) {
    const names = cellNames(graph);
    throw new UsageError(`${def.kind} ${def.name} has no instance of ${opts.cell}${names.length ? ` (its blocks and cells: ${names.join(', ')})` : ''}`);
  }
  const boxes = viewSize(view);
  if (boxes > MAX_GRAPH_BOXES) {
    process.stderr.write(
      `${displayPath(file)}: ${view.title} has ${boxes.toLocaleString('en-US')} boxes, more than the ${MAX_GRAPH_BOXES.toLocaleString('en-US')} nas graph lays out: draw a cell (--cell) or leave blocks collapsed\n`,
    );
    return 1;
  }
  const { default: ELK } = await import('elkjs/lib/elk.bundled.js');
  const elk = new ELK();
  const scene = await layoutView(view, (g) => elk.layout(g));
  const svg = renderSvg(scene, { palette: opts.theme === 'dark' ? DARK : LIGHT, colorBy: opts.color });
  if (path.extname(opts.out).toLowerCase() === '.png') {
    const { Resvg } = await import('@resvg/resvg-js');
    const png = new Resvg(svg, { font: { loadSystemFonts: true, defaultFontFamily: 'DejaVu Sans' }, fitTo: { mode: 'zoom', value: opts.scale } })
      .render()
      .asPng();
    writeWhole(opts.out, png);
  } else writeWhole(opts.out, svg);
  process.stdout.write(`wrote ${opts.out}: ${view.title} (${scene.nodes.length} boxes, ${scene.edges.length} edges)\n`);
  return 0;
}
