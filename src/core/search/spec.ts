/**
 * A `search` block read into what the engine runs, with every problem found on the way
 * (positioned on the AST, so the editor shows them where they are written). The editor's
 * checks and the engine both call `readSearchSpec`: what the editor accepts is what runs.
 * Names unknown to the vocabulary are reported by the validator (nas-validator.ts), not here.
 */
import type { AstNode } from 'langium';
import type * as ast from '../language/syntax/generated/ast.js';
import { constantValue, readSettings } from './settings.js';
import type { ConstraintSpec, ObjectiveSpec, Settings } from './types.js';
import { COST_METRICS, KNOWN_METRICS, PENDING_EVALUATORS, evaluatorSpec, pendingEvaluatorMessage, strategySpec } from './vocabulary.js';

export interface SearchSpec {
  readonly name: string;
  readonly space: ast.Definition;
  readonly strategy: { readonly name: string; readonly settings: Settings };
  readonly evaluator: { readonly name: string; readonly settings: Settings };
  readonly objectives: readonly ObjectiveSpec[];
  readonly constraints: readonly ConstraintSpec[];
  readonly budget: { readonly queries: number; readonly seconds?: number };
  readonly seed: number;
}

export interface SpecProblem {
  readonly node: AstNode;
  readonly message: string;
  readonly code: string;
  readonly severity: 'error' | 'warning';
}

export const DEFAULT_BUDGET = 100;

export function readSearchSpec(search: ast.Search): { spec?: SearchSpec; problems: SpecProblem[] } {
  const problems: SpecProblem[] = [];
  const error = (node: AstNode, message: string, code: string) => problems.push({ node, message, code, severity: 'error' });
  const items = search.items;
  const first = <T extends ast.SearchItem>(type: T['$type']) => items.find((i): i is T => i.$type === type);

  const space = first<ast.SpaceItem>('SpaceItem')?.space?.ref;
  const objectives: ObjectiveSpec[] = items
    .filter((i): i is ast.ObjectiveItem => i.$type === 'ObjectiveItem' && !!i.metric)
    .map((i) => ({ metric: i.metric, direction: i.direction === 'minimize' ? 'minimize' : 'maximize' }));

  const constraints: ConstraintSpec[] = [];
  for (const c of items.filter((i): i is ast.ConstraintItem => i.$type === 'ConstraintItem' && !!i.metric)) {
    const v = constantValue(c.value);
    if (typeof v !== 'number') error(c.value ?? c, 'a constraint compares with a constant number (`constraint macs <= 300M`)', 'setting-value');
    else constraints.push({ metric: c.metric, op: c.op as ConstraintSpec['op'], value: v });
  }

  // Strategy (random when absent) and its settings.
  const sItem = first<ast.StrategyItem>('StrategyItem');
  const sName = sItem?.name ?? 'random';
  const sSpec = strategySpec(sName);
  let strategySettings: Settings = {};
  if (sSpec) {
    const r = readSettings(`strategy ${sName}`, sSpec.settings, sItem?.args ?? [], sItem ?? search);
    problems.push(...r.problems.map((p) => ({ ...p, severity: 'error' as const })));
    strategySettings = r.values;
    const pop = r.values['population'];
    const sample = r.values['sample'];
    if (typeof pop === 'number' && typeof sample === 'number' && sample > pop) {
      error(argNode(sItem, 'sample') ?? sItem!, `the tournament \`sample\` (${sample}) cannot exceed the \`population\` (${pop})`, 'setting-value');
    }
    const ref = r.values['reference'];
    if (Array.isArray(ref) && ref.length !== objectives.length) {
      error(
        argNode(sItem, 'reference') ?? sItem!,
        `the reference point needs one value per objective (${objectives.length}), found ${ref.length}`,
        'setting-value',
      );
    }
    // Random and grid compare nothing: several objectives without a target give the front.
    const scalarises = sSpec.singleObjective && !(sSpec.blind && typeof r.values['target'] !== 'number');
    if (scalarises && objectives.length > 1) {
      const quality = objectives.filter((o) => o.direction === 'maximize' && !COST_METRICS.has(o.metric));
      const cost = objectives.filter((o) => o.direction === 'minimize' && o.metric !== 'error' && o.metric !== 'loss');
      if (objectives.length !== 2 || quality.length !== 1 || cost.length !== 1) {
        error(
          sItem ?? search,
          `strategy ${sName} optimises one objective, or two as MnasNet's reward ACC x (COST/target)^w: maximize a quality metric and minimize a cost; for a Pareto front use nsga2 or smnas`,
          'search-objectives',
        );
      } else if (typeof r.values['target'] !== 'number') {
        error(
          sItem ?? search,
          `strategy ${sName} scalarises two objectives as ${quality[0]!.metric} x (${cost[0]!.metric}/target)^w (MnasNet): add \`target = ...\`, or use nsga2 for a Pareto front`,
          'search-objectives',
        );
      }
    }
  }

  // Evaluator (the cost model alone when absent and no objective needs more).
  const eItem = first<ast.EvaluatorItem>('EvaluatorItem');
  const eName = eItem?.name ?? 'cost';
  const eSpec = evaluatorSpec(eName);
  let evaluatorSettings: Settings = {};
  if (eSpec) {
    const r = readSettings(`evaluator ${eName}`, eSpec.settings, eItem?.args ?? [], eItem ?? search);
    problems.push(...r.problems.map((p) => ({ ...p, severity: 'error' as const })));
    evaluatorSettings = r.values;
    if (r.values['fidelity'] === 'images') {
      const at = eItem?.args.find((a) => a.name === 'fidelity') ?? eItem ?? search;
      if (!Array.isArray(r.values['fidelities']))
        error(at, '`fidelity = "images"` counts training images: give them, e.g. `fidelities = [5000, 20000]`', 'setting-value');
      else if (r.values['images'] !== 0) error(at, 'with `fidelity = "images"` the fidelities say how many images are used: drop `images`', 'setting-value');
    }
    if (PENDING_EVALUATORS.has(eName)) {
      problems.push({ node: eItem ?? search, message: pendingEvaluatorMessage(eName), code: 'evaluator-not-implemented', severity: 'warning' });
    } else {
      for (const o of [...objectives, ...constraints]) {
        if (!KNOWN_METRICS.has(o.metric) || COST_METRICS.has(o.metric) || eSpec.metrics.includes(o.metric)) continue;
        const node = items.find((i) => (i.$type === 'ObjectiveItem' || i.$type === 'ConstraintItem') && i.metric === o.metric)!;
        const reports = [...eSpec.metrics, ...COST_METRICS].join(', ');
        error(
          node,
          eItem
            ? `evaluator ${eName} does not report \`${o.metric}\` (it reports ${reports})`
            : `\`${o.metric}\` needs an evaluator (\`evaluator benchmark(...)\`, \`evaluator fake\`); without one only the cost model's ${[...COST_METRICS].join(', ')} are known`,
          'unknown-metric',
        );
      }
    }
  }
  // Budget: `budget 100` or `budget(queries = 100, seconds = 3600)`.
  let queries = DEFAULT_BUDGET;
  let seconds: number | undefined;
  const bItem = first<ast.BudgetItem>('BudgetItem');
  if (bItem) {
    if (bItem.value) {
      const v = constantValue(bItem.value);
      if (typeof v === 'number' && Number.isInteger(v) && v >= 1) queries = v;
      else error(bItem.value, `the budget is a number of evaluations, an integer >= 1`, 'setting-value');
    }
    for (const a of bItem.args) {
      const v = constantValue(a.value);
      if (a.name === 'queries' && typeof v === 'number' && Number.isInteger(v) && v >= 1) queries = v;
      else if (a.name === 'seconds' && typeof v === 'number' && v > 0) seconds = v;
      else if (a.name === 'queries' || a.name === 'seconds')
        error(a.value ?? a, `\`${a.name}\` must be a positive ${a.name === 'queries' ? 'integer' : 'number'}`, 'setting-value');
      else error(a, `the budget takes \`queries\` and \`seconds\`${a.name ? `, not \`${a.name}\`` : ''}`, 'unknown-setting');
    }
  }
  let seed = 0;
  const seedItem = first<ast.SeedItem>('SeedItem');
  if (seedItem) {
    const v = constantValue(seedItem.value);
    if (typeof v === 'number' && Number.isInteger(v) && v >= 0 && v < 2 ** 32) seed = v;
    else error(seedItem.value ?? seedItem, 'the seed is an integer in 0..2^32-1', 'setting-value');
  }

  if (!space || !sSpec || !eSpec || objectives.length === 0 || problems.some((p) => p.severity === 'error')) return { problems };
  return {
    problems,
    spec: {
      name: search.name,
      space,
      strategy: { name: sName, settings: strategySettings },
      evaluator: { name: eName, settings: evaluatorSettings },
      objectives,
      constraints,
      budget: { queries, seconds },
      seed,
    },
  };
}

function argNode(item: ast.StrategyItem | undefined, name: string): AstNode | undefined {
  return item?.args.find((a) => a.name === name);
}
