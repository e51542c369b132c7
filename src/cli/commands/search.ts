/**
 * `nas search FILE [--search NAME] [--budget N] [--seed S] [--repeat R] [--out DIR]
 * [--resume DIR] [--json] [--quiet]`: runs a search block (src/core/search) and records it in
 * a run directory. With --json, NDJSON events on stdout (src/protocol/search-events.ts);
 * otherwise a progress bar on a terminal and the result in words.
 *
 * Exit codes: 0 done; 1 the file has errors or the search cannot run on it; 2 usage or I/O
 * errors (a run directory that exists, one that does not match its file); 130 cancelled
 * (SIGINT), the run left resumable.
 */
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Command } from 'commander';
import { NasWorkspace } from '../../core/workspace.js';
import type { Document, Search } from '../../core/language/syntax/generated/ast.js';
import { collectImportUris, isBuiltinUri } from '../../core/language/services/imports.js';
import { readSearchSpec, type SearchSpec } from '../../core/search/spec.js';
import { prepareSearch, describeConstraints, type PreparedSearch } from '../../core/search/prepare.js';
import { runSearch, ReplayMismatchError } from '../../core/search/runner.js';
import { RunStore, RunStoreError, RUN_FORMAT, type RunMeta } from '../../core/search/store.js';
import { SearchSetupError } from '../../core/search/feasible.js';
import { hasEvaluator } from '../../core/search/evaluators/registry.js';
import { evaluatorSpec } from '../../core/search/vocabulary.js';
import { ObjectiveSetupError } from '../../core/search/objectives.js';
import type { DoneEvent, SearchEvent, SummaryEvent } from '../../protocol/search-events.js';
import { formatDiagnostic, loadFiles, UsageError } from '../load.js';
import { PRODUCT_VERSION } from '../version.js';
import { integerOption, seedOption } from '../options.js';
import { SearchReporter, summarize } from '../search-report.js';
import { EngineUnavailableError, resolveSearchEngine } from './search-engine.js';

export const EXIT_CANCELLED = 130;

export interface SearchOptions {
  search?: string;
  budget?: number;
  seed?: number;
  repeat: number;
  out?: string;
  resume?: string;
  json?: boolean;
  quiet?: boolean;
  flat?: boolean;
  engine?: string;
  gpus?: string;
  slots?: number;
  python?: string;
}

export function register(program: Command): void {
  program
    .command('search')
    .description('run a search block: every trial recorded in a run directory; prints the chosen architecture and the front')
    .argument('[file]', '.nas file with a search block (omit with --resume)')
    .option('--search <name>', 'the search block to run (default: the first of the file)')
    .option('--budget <n>', 'evaluations (overrides the block)', integerOption('budget', 1, Number.MAX_SAFE_INTEGER))
    .option('--seed <n>', 'seed, an integer from 0 to 2^32 - 1 (overrides the block)', seedOption)
    .option('--repeat <r>', 'run seeds S..S+R-1 and summarise', integerOption('repeat', 1, Number.MAX_SAFE_INTEGER), 1)
    .option('--out <dir>', 'run directory (default: nas-runs/<search>-<n>; with --repeat, one seed-<s> folder per run)')
    .option('--resume <dir>', 'continue the run recorded in DIR exactly where it stopped')
    .option('--json', 'NDJSON events on stdout (docs/cli.md)')
    .option('--quiet', 'only the result (no progress)')
    .option('--flat', "write the chosen architecture (best.nas, the done event's nas) as a flat network of primitive ops")
    .option('--engine <engine>', 'evaluators train and supernet: tfjs, torch (PyTorch workers) or auto (torch where it sees a CUDA GPU); overrides the block')
    .option('--gpus <list>', 'torch engine: the GPUs to use, e.g. 0,1 (default: all torch sees), or cpu')
    .option('--slots <n>', 'torch engine: trials at once per GPU (overrides the block)', integerOption('slots', 1, 64))
    .option('--python <path>', 'torch engine: a Python with torch (default: $NAS_PYTHON, else python3 on PATH)')
    .action(async (file: string | undefined, opts: SearchOptions) => {
      const ctrl = new AbortController();
      const onSigint = (): void => {
        if (ctrl.signal.aborted) process.exit(EXIT_CANCELLED);
        process.stderr.write('\nnas search: stopping; trials in flight are cancelled and not recorded, the run can be resumed (Ctrl-C again to quit now)\n');
        ctrl.abort();
      };
      process.on('SIGINT', onSigint);
      try {
        process.exitCode = await searchCommand(file, opts, ctrl.signal);
      } finally {
        process.off('SIGINT', onSigint);
      }
    });
}

/** `trainingLoaded`: this is the training bundle's run (search-train-run.ts); never hand over again. */
export async function searchCommand(file: string | undefined, opts: SearchOptions, signal: AbortSignal, trainingLoaded = false): Promise<number> {
  let resumed: RunStore | undefined;
  if (opts.resume) {
    if (opts.out || opts.repeat !== 1 || opts.budget !== undefined || opts.seed !== undefined || opts.search) {
      throw new UsageError('--resume continues a run as it was started: it takes no --search, --budget, --seed, --repeat or --out');
    }
    resumed = openRun(opts.resume);
    file ??= resumed.meta.file;
  }
  if (!file) throw new UsageError('nas search needs a .nas file (or --resume DIR)');
  const ws = new NasWorkspace();
  const [loaded] = await loadFiles([file], ws);
  const errors = loaded!.diagnostics.filter((d) => d.severity === 'error');
  if (errors.length) {
    for (const d of errors) process.stderr.write(formatDiagnostic(d) + '\n');
    resumed?.close();
    return 1;
  }
  const root = loaded!.root;
  const searches = root.elements.filter((e): e is Search => e.$type === 'Search');
  const name = resumed?.meta.search ?? opts.search;
  const search = name ? searches.find((s) => s.name === name) : searches[0];
  if (!search) {
    resumed?.close();
    if (searches.length === 0) throw new UsageError(`${file} has no search block (write \`search Name { space ...; maximize accuracy; ... }\`)`);
    throw new UsageError(`no search named ${name} in ${file} (the file has: ${searches.map((s) => s.name).join(', ')})`);
  }
  const read = readSearchSpec(search);
  let spec = read.spec;
  const problems = read.problems;
  if (!spec) {
    // The validator reports these too; a spec can only be missing with errors.
    for (const p of problems) process.stderr.write(`${file}: ${p.severity} ${p.message}\n`);
    resumed?.close();
    return 1;
  }
  if (!trainingLoaded && evaluatorSpec(spec.evaluator.name)?.training && !hasEvaluator(spec.evaluator.name)) {
    // The training engine (tfjs) loads only for the evaluators that train: the whole command
    // runs again in the training bundle, where they are registered.
    resumed?.close();
    const { runTrainingSearch } = await import('./search-train-run.js');
    return runTrainingSearch(file, opts, signal);
  }
  let engine;
  try {
    const recorded = resumed ? String(resumed.meta.evaluator.settings['engine'] ?? 'tfjs') : undefined;
    engine = resolveSearchEngine(spec, opts, recorded);
  } catch (e) {
    resumed?.close();
    if (!(e instanceof EngineUnavailableError)) throw e;
    if (opts.json) process.stdout.write(JSON.stringify({ event: 'error', message: e.message } satisfies SearchEvent) + '\n');
    process.stderr.write(`nas search: ${search.name}: ${e.message}\n`);
    return 2;
  }
  if (engine.note) process.stderr.write(`nas search: ${engine.note}\n`);
  spec = engine.spec;
  const hash = sourceHash(ws, loaded!.doc.parseResult.value as Document, loaded!.doc.uri);
  if (resumed && resumed.meta.sourceHash !== hash) {
    resumed.close();
    throw new UsageError(`${file} (or a file it imports) changed since the run in ${opts.resume} started: resuming would not continue the same search`);
  }
  const seed0 = resumed?.meta.seed ?? opts.seed ?? spec.seed;
  const budget = resumed?.meta.budget ?? { ...spec.budget, queries: opts.budget ?? spec.budget.queries };
  const emit = opts.json ? (e: SearchEvent) => process.stdout.write(JSON.stringify(e) + '\n') : undefined;
  let prepared: PreparedSearch;
  try {
    prepared = prepareSearch(spec, { log: (line) => process.stderr.write(`nas search: ${line}\n`), ...(engine.torch ? { torch: engine.torch } : {}) });
  } catch (e) {
    resumed?.close();
    if (e instanceof SearchSetupError || e instanceof ObjectiveSetupError) return failSetup(search.name, e.message, emit);
    throw e;
  }
  const baseDir = opts.resume ?? opts.out ?? freshRunDir(search.name);
  const reporter = opts.json ? undefined : new SearchReporter(spec, { quiet: !!opts.quiet, tty: !!process.stderr.isTTY, repeat: opts.repeat });
  const dones: DoneEvent[] = [];
  try {
    for (let r = 0; r < opts.repeat; r++) {
      const seed = seed0 + r;
      const dir = opts.repeat > 1 ? path.join(baseDir, `seed-${seed}`) : baseDir;
      let store: RunStore;
      try {
        store = resumed ?? RunStore.create(dir, runMeta(file, hash, spec, budget, seed));
      } catch (e) {
        if (e instanceof RunStoreError) throw new UsageError(e.message);
        throw e;
      }
      let done: DoneEvent;
      try {
        done = await runSearch({
          prepared,
          seed,
          budget,
          store,
          signal,
          progress: opts.repeat === 1,
          describe: opts.flat ? 'flat' : 'nas',
          onEvent: (e) => {
            if (opts.repeat > 1 && e.event !== 'start' && e.event !== 'done' && e.event !== 'error') return;
            emit?.(e);
            reporter?.event(e);
          },
        });
      } catch (e) {
        if (e instanceof ObjectiveSetupError || e instanceof SearchSetupError) return failSetup(search.name, e.message, emit);
        if (e instanceof ReplayMismatchError) throw new UsageError(e.message);
        throw e;
      } finally {
        store.close();
      }
      dones.push(done);
      if (done.stopped === 'cancelled') {
        reporter?.cancelled(done);
        return EXIT_CANCELLED;
      }
    }
    if (opts.repeat > 1) {
      const summary: SummaryEvent = summarize(dones);
      emit?.(summary);
      reporter?.summary(summary, baseDir);
    }
    return 0;
  } finally {
    // Stops the PyTorch workers (also after a cancel) and removes their data packs.
    await prepared.evaluator.close?.();
  }
}

function failSetup(search: string, message: string, emit: ((e: SearchEvent) => void) | undefined): number {
  if (emit) emit({ event: 'error', message });
  process.stderr.write(`nas search: ${search}: ${message}\n`);
  return 1;
}

function openRun(dir: string): RunStore {
  try {
    return RunStore.resume(dir);
  } catch (e) {
    if (e instanceof RunStoreError) throw new UsageError(e.message);
    throw e;
  }
}

/** `nas-runs/<search>-<n>` with the first n not taken: a run never overwrites another. */
function freshRunDir(search: string): string {
  for (let n = 1; ; n++) {
    const dir = path.join('nas-runs', `${search}-${n}`);
    if (!fs.existsSync(dir)) return dir;
  }
}

function runMeta(file: string, sourceHash: string, spec: SearchSpec, budget: RunMeta['budget'], seed: number): RunMeta {
  return {
    format: RUN_FORMAT,
    product: `nas-studio ${PRODUCT_VERSION}`,
    file: path.resolve(file),
    sourceHash,
    search: spec.name,
    space: spec.space.name,
    strategy: { name: spec.strategy.name, settings: { ...spec.strategy.settings } },
    evaluator: { name: spec.evaluator.name, settings: { ...spec.evaluator.settings } },
    objectives: spec.objectives.map((o) => ({ ...o })),
    constraints: describeConstraints(spec),
    budget,
    seed,
    created: new Date().toISOString(),
  };
}

/** sha256 over the file's text and, in load order, every file it imports (standard library excluded). */
export function sourceHash(ws: NasWorkspace, root: Document, uri: import('langium').URI): string {
  const h = crypto.createHash('sha256');
  const docs = ws.shared.workspace.LangiumDocuments;
  const seen = new Set<string>();
  const visit = (doc: Document, at: import('langium').URI) => {
    if (seen.has(at.toString())) return;
    seen.add(at.toString());
    const d = docs.getDocument(at);
    h.update(d?.textDocument.getText() ?? '').update('\0');
    for (const u of collectImportUris(doc, at)) {
      if (isBuiltinUri(u)) continue;
      const imported = docs.getDocument(u);
      if (imported) visit(imported.parseResult.value as Document, u);
    }
  };
  visit(root, uri);
  return h.digest('hex');
}
