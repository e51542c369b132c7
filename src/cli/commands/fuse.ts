/**
 * `nas fuse FILE [--network N] --out deploy.nas [--force] [--json]`: writes the deployment form
 * of a network (src/core/reparam/source-fusion.ts) and prints params and MACs before and after.
 * The output path is checked before any work; the input is never overwritten, nor an existing
 * file without --force; the file is written whole or not at all (a temporary file renamed).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { URI } from 'langium';
import type { Command } from 'commander';
import { displayPath, formatDiagnostic, loadFiles, modelsOf, UsageError } from '../load.js';
import { checkRegularTarget, writeWhole } from '../write-whole.js';
import { NasWorkspace } from '../../core/workspace.js';
import { elaborate } from '../../core/semantics/evaluator/index.js';
import { formatSI } from '../../shared/format-number.js';
import { DEPLOY_FORMS, fuseSource } from '../../core/reparam/source-fusion.js';
import type { Definition, Document } from '../../core/language/syntax/generated/ast.js';
import type { FuseJson } from '../json-types.js';

interface FuseOptions {
  network?: string;
  out: string;
  force?: boolean;
  json?: boolean;
}

export function register(program: Command): void {
  program
    .command('fuse')
    .description('write the deployment form of a network: RepVGG, ACNet, DBB and MobileOne blocks as their single convolutions')
    .argument('<file>', '.nas file')
    .option('--network <name>', 'the network to fuse (default: the one that uses training-time blocks)')
    .requiredOption('--out <file>', 'the .nas file to write (never the input)')
    .option('--force', 'overwrite --out if it exists')
    .option('--json', 'print JSON (docs/cli.md)')
    .action(async (file: string, opts: FuseOptions) => {
      const out = checkOutPath(file, opts.out, !!opts.force);
      const ws = new NasWorkspace();
      const [loaded] = await loadFiles([file], ws);
      const errors = loaded!.diagnostics.filter((d) => d.severity === 'error');
      if (errors.length) {
        for (const d of errors) process.stderr.write(formatDiagnostic(d) + '\n');
        process.exitCode = 1;
        return;
      }
      const network = pickNetwork(loaded!.root, file, opts.network);
      if (!network) {
        process.exitCode = 1;
        return;
      }
      const fused = fuseSource(network, { target: URI.file(out) });
      const before = elaborate(network);
      const doc = await ws.addText(fused.text, URI.file(out));
      const broken = ws.diagnostics(doc, out).filter((d) => d.severity === 'error');
      if (broken.length) throw new Error(`the deployment form does not check: ${broken.map(formatDiagnostic).join('; ')}`);
      const deployDef = (doc.parseResult.value as Document).elements.find((e): e is Definition => e.$type === 'Definition' && e.name === network.name)!;
      const after = elaborate(deployDef);
      const [o1, o2] = [before.output!.shape, after.output!.shape];
      if (o1.c !== o2.c || o1.h !== o2.h || o1.w !== o2.w) throw new Error(`the deployment form changes the output shape of ${network.name}`);
      writeWhole(out, fused.text);
      const result: FuseJson = {
        name: network.name,
        out: displayPath(out),
        before: { params: before.graph.totals().params, macs: before.graph.totals().macs },
        after: { params: after.graph.totals().params, macs: after.graph.totals().macs },
        renamed: Object.entries(fused.renamed).map(([from, uses]) => ({ from, to: DEPLOY_FORMS[from]!, uses })),
        external: fused.external.map((e) => ({ definition: e.definition, file: displayPath(URI.parse(e.uri).fsPath) })),
      };
      for (const e of result.external) {
        process.stderr.write(`nas: warning: ${e.definition} (${e.file}) uses training-time blocks and is left as it is; fuse that file too\n`);
      }
      if (opts.json) process.stdout.write(JSON.stringify(result, null, 2) + '\n');
      else process.stdout.write(formatHuman(result));
    });
}

/** Refuses, before any work, an output that is the input, a directory, an existing file
 * (without --force) or in a folder that cannot be written. */
function checkOutPath(input: string, out: string, force: boolean): string {
  const target = path.resolve(out);
  let existing: fs.Stats | undefined;
  try {
    existing = fs.statSync(target);
  } catch {
    existing = undefined;
  }
  if (existing) {
    checkRegularTarget(target, `--out ${out}`);
    let same = false;
    try {
      same = fs.realpathSync(target) === fs.realpathSync(input);
    } catch {
      same = false; // the input does not exist: loading it reports that
    }
    if (same) throw new UsageError(`--out ${out} is the input file: refusing to overwrite it (write the deployment form beside it, e.g. ${deployName(input)})`);
    if (!force) throw new UsageError(`--out ${out} exists: refusing to overwrite it (pass --force to replace it)`);
  }
  try {
    fs.accessSync(path.dirname(target), fs.constants.W_OK);
  } catch {
    throw new UsageError(`cannot write ${out}: ${path.dirname(out)} is not a writable folder`);
  }
  return target;
}

function deployName(input: string): string {
  return input.endsWith('.nas') ? `${input.slice(0, -4)}.deploy.nas` : `${input}.deploy.nas`;
}

/** The named network, or the one network of the file that uses training-time blocks. */
function pickNetwork(root: Document, file: string, name: string | undefined): Definition | undefined {
  const blocks = Object.keys(DEPLOY_FORMS).join(', ');
  if (name !== undefined) {
    const def = modelsOf(root, name)[0]!;
    if (def.kind !== 'network') throw new UsageError(`${name} is a ${def.kind}: fuse a network (\`nas sample\` prints architectures of a space as networks)`);
    if (Object.keys(fuseSource(def).renamed).length > 0) return def;
    process.stderr.write(`nas: network ${name} uses no training-time block (${blocks}): nothing to fuse\n`);
    return undefined;
  }
  const networks = root.elements.filter((e): e is Definition => e.$type === 'Definition' && e.kind === 'network');
  if (networks.length === 0) throw new UsageError(`${file} has no network`);
  const fusable = networks.filter((n) => Object.keys(fuseSource(n).renamed).length > 0);
  if (fusable.length > 1)
    throw new UsageError(`several networks use training-time blocks (${fusable.map((n) => n.name).join(', ')}): choose one with --network`);
  if (fusable.length === 0) {
    process.stderr.write(`nas: no network of ${file} uses a training-time block (${blocks}): nothing to fuse\n`);
    return undefined;
  }
  return fusable[0];
}

function formatHuman(r: FuseJson): string {
  const n = (v: number) => v.toLocaleString('en-US');
  const uses = r.renamed.map((x) => `${x.uses} use${x.uses === 1 ? '' : 's'} of ${x.from} → ${x.to}`).join(', ');
  return [
    `network ${r.name}: wrote ${r.out} (${uses})`,
    `  params ${n(r.before.params)} → ${n(r.after.params)}`,
    `  MACs   ${n(r.before.macs)} → ${n(r.after.macs)} (${formatSI(r.before.macs, 5)} → ${formatSI(r.after.macs, 5)})`,
    '',
  ].join('\n');
}
