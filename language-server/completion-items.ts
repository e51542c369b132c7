/**
 * Completion items that the grammar cannot give: a call's attribute names (`k = `), values
 * where they are enumerable (`true`/`false`, a setting's strings), and a `search` block's
 * strategies, evaluators, metrics and their settings, all from the search engine's vocabulary
 * (src/core/search/vocabulary.ts), so that what is offered is what runs. Also the order
 * (`sortText`) of every item: VS Code shows the list in that order while nothing is typed.
 */
import { CompletionItemKind, type CompletionItem } from 'vscode-languageserver';
import type * as ast from '../src/core/language/syntax/generated/ast.js';
import {
  EVALUATORS,
  KNOWN_METRICS,
  COST_METRICS,
  PENDING_EVALUATORS,
  STRATEGIES,
  evaluatorSpec,
  strategySpec,
  type SettingSpec,
} from '../src/core/search/vocabulary.js';
import { paramText, positionalParam } from './describe.js';

/** What a name in scope can stand for, read from its declaration. */
export type Role = 'layer' | 'tensor' | 'scalar' | 'any' | 'fn' | 'model';

/** What the cursor's position takes: a layer (after `->`, a choice of layers), a tensor (`add(x, `), a scalar (`k = `), or anything. */
export type Mode = 'layer' | 'tensor' | 'scalar' | 'all';

/**
 * Sort groups: attribute names and enumerable values first, then names in the order the
 * position makes likely, then keywords and snippets. A group not listed is not offered.
 */
const ORDER: Record<Mode, Partial<Record<Role | 'keyword', string>>> = {
  layer: { layer: '3', tensor: '4', any: '5', fn: '6', keyword: '8' },
  tensor: { tensor: '3', layer: '4', any: '5', fn: '6', keyword: '8' },
  scalar: { scalar: '3', any: '4', fn: '6', keyword: '8' },
  all: { tensor: '3', scalar: '3', any: '3', layer: '4', fn: '6', model: '7', keyword: '8' },
};

export const SORT_ATTRIBUTE = '0';
export const SORT_VALUE = '1';
export const SORT_SNIPPET = '9';

/** The sort text of a name of `role` at a position of `mode`; undefined when it does not fit there. */
export function sortFor(mode: Mode, role: Role | 'keyword'): string | undefined {
  return ORDER[mode][role];
}

const LAYER_TYPES = new Set(['layer']);
const SCALAR_TYPES = new Set(['int', 'float', 'bool', 'string', 'list']);

export function roleOfDeclaration(node: { $type: string; kind?: string; type?: string }): Role {
  switch (node.$type) {
    case 'Definition':
      return node.kind === 'fn' ? 'fn' : node.kind === 'network' || node.kind === 'space' ? 'model' : 'layer';
    case 'Param':
      return node.type === 'tensor'
        ? 'tensor'
        : node.type && LAYER_TYPES.has(node.type)
          ? 'layer'
          : node.type && SCALAR_TYPES.has(node.type)
            ? 'scalar'
            : 'any';
    case 'Node':
    case 'InputName':
      return 'tensor';
    case 'LoopVar':
      return 'scalar';
    default:
      return 'any';
  }
}

export function kindOfDeclaration(node: { $type: string; kind?: string }): CompletionItemKind {
  switch (node.$type) {
    case 'Definition':
      return node.kind === 'block'
        ? CompletionItemKind.Class
        : node.kind === 'cell'
          ? CompletionItemKind.Struct
          : node.kind === 'network' || node.kind === 'space'
            ? CompletionItemKind.Module
            : CompletionItemKind.Function;
    case 'Let':
      return CompletionItemKind.Constant;
    default:
      return CompletionItemKind.Variable;
  }
}

/** What a parameter of this type takes. */
export function modeOfType(type: string | undefined): Mode {
  if (type && LAYER_TYPES.has(type)) return 'layer';
  if (type === 'tensor') return 'tensor';
  if (type && SCALAR_TYPES.has(type)) return 'scalar';
  return 'all';
}

/** `k = ` items for the attributes of `def` not given yet (by name, or by position before `index`). */
export function attributeItems(def: ast.Definition, index: number, named: ReadonlySet<string>, documentation?: string): CompletionItem[] {
  const positional = new Set(Array.from({ length: index }, (_, i) => positionalParam(def, i)));
  return def.params
    .filter((p) => !p.variadic && !named.has(p.name) && !positional.has(p))
    .map((p, i) => ({
      label: `${p.name} =`,
      kind: CompletionItemKind.Property,
      detail: `${def.name}(${paramText(p)})`,
      documentation: documentation ? { kind: 'markdown', value: documentation } : undefined,
      insertText: `${p.name} = `,
      filterText: p.name,
      sortText: `${SORT_ATTRIBUTE}${String(i).padStart(2, '0')}`,
    }));
}

export function boolItems(): CompletionItem[] {
  return ['true', 'false'].map((v, i) => ({ label: v, kind: CompletionItemKind.Value, sortText: `${SORT_VALUE}${i}` }));
}

/** A name of the vocabulary as an item; `quoted` for string settings written as string literals. */
function valueItem(name: string, doc: string | undefined, i: number, quoted: boolean, detail?: string): CompletionItem {
  return {
    label: quoted ? `"${name}"` : name,
    kind: CompletionItemKind.EnumMember,
    detail,
    documentation: doc ? { kind: 'markdown', value: doc } : undefined,
    insertText: quoted ? `"${name}"` : name,
    filterText: name,
    sortText: `${SORT_VALUE}${String(i).padStart(2, '0')}`,
  };
}

/** Strategies the engine runs, each with its documentation and settings. */
export function strategyItems(): CompletionItem[] {
  return STRATEGIES.map((s, i) =>
    valueItem(s.name, `${s.doc}\n\n${settingsTable(s.settings)}`, i, false, s.singleObjective ? 'strategy (one objective)' : 'strategy (Pareto front)'),
  );
}

/** Evaluators that run; those the language names but nothing runs yet are left out. */
export function evaluatorItems(): CompletionItem[] {
  return EVALUATORS.filter((e) => !PENDING_EVALUATORS.has(e.name)).map((e, i) =>
    valueItem(e.name, `${e.doc}\n\n${settingsTable(e.settings)}`, i, false, `evaluator${e.metrics.length ? ` (${e.metrics.join(', ')})` : ''}`),
  );
}

export function metricItems(): CompletionItem[] {
  return [...KNOWN_METRICS].map((m, i) =>
    valueItem(m, undefined, i, false, COST_METRICS.has(m) ? 'metric (cost model, known without training)' : 'metric (from the evaluator)'),
  );
}

/** The settings of `strategy NAME(`, `evaluator NAME(` or `budget(`. */
export function settingsOf(owner: string, name: string | undefined): readonly SettingSpec[] | undefined {
  if (owner === 'strategy' && name) return strategySpec(name)?.settings;
  if (owner === 'evaluator' && name) return evaluatorSpec(name)?.settings;
  if (owner === 'budget') return BUDGET_SETTINGS;
  return undefined;
}

const BUDGET_SETTINGS: readonly SettingSpec[] = [
  { name: 'queries', kind: { type: 'int', min: 1 }, default: 100, doc: 'the number of architectures evaluated' },
  { name: 'seconds', kind: { type: 'number', above: 0 }, doc: 'wall-clock limit of the search' },
];

export function settingItems(settings: readonly SettingSpec[], named: ReadonlySet<string>): CompletionItem[] {
  return settings
    .filter((s) => !named.has(s.name))
    .map((s, i) => ({
      label: `${s.name} =`,
      kind: CompletionItemKind.Property,
      detail: `${s.name}: ${kindText(s)}${s.default !== undefined ? ` = ${JSON.stringify(s.default)}` : ''}`,
      documentation: { kind: 'markdown', value: s.doc },
      insertText: `${s.name} = `,
      filterText: s.name,
      sortText: `${SORT_ATTRIBUTE}${String(i).padStart(2, '0')}`,
    }));
}

/** The values of a setting when they are enumerable (strings, booleans); else none. */
export function settingValueItems(setting: SettingSpec, inString: boolean): CompletionItem[] {
  const kind = setting.kind;
  if (kind.type === 'string') return kind.values.map((v, i) => valueItem(v, undefined, i, !inString, setting.name));
  if (kind.type === 'bool' && !inString) return boolItems();
  return [];
}

function kindText(s: SettingSpec): string {
  const k = s.kind;
  switch (k.type) {
    case 'int':
      return `int ≥ ${k.min}${k.max !== undefined ? ` and ≤ ${k.max}` : ''}`;
    case 'number': {
      const bounds = [k.above !== undefined ? `> ${k.above}` : '', k.min !== undefined ? `≥ ${k.min}` : '', k.max !== undefined ? `≤ ${k.max}` : ''];
      const written = bounds.filter((b) => b);
      return written.length > 0 ? `number ${written.join(' and ')}` : 'number';
    }
    case 'string':
      return k.values.map((v) => `"${v}"`).join(' | ');
    case 'bool':
      return 'bool';
    case 'numbers':
      return 'list of numbers';
    case 'text':
      return 'string';
    case 'ints':
      return `list of increasing ints ≥ ${k.min}`;
  }
}

function settingsTable(settings: readonly SettingSpec[]): string {
  if (settings.length === 0) return 'No settings.';
  return [
    'Settings:',
    ...settings.map((s) => `- \`${s.name}\` (${kindText(s)}${s.default !== undefined ? `, default \`${JSON.stringify(s.default)}\`` : ''}): ${s.doc}`),
  ].join('\n');
}
