/**
 * The search dashboard's page. It receives a run from the extension host (only after it said
 * `ready`), then the trials as they arrive, and draws the scatter of trials with its front, the
 * history (best so far, hypervolume, or trained candidates' accuracy per epoch) and the trial table. A click on a trial asks the host to open its architecture;
 * shift-click selects two to compare. What the user chose (axes, colour, table order) is kept
 * in the webview state, so a window reload shows the same.
 */
import type { DashboardHostMessage, DashboardState, DashboardWebviewApi, ExportFormat, RunStatus } from '../../src/protocol/dashboard.js';
import type { TrialRecord } from '../../src/protocol/search-events.js';
import { EpochsChart } from './epochs.js';
import { HistoryChart } from './history.js';
import { parseConstraint, RunModel } from './run-model.js';
import { formatValue } from './scales.js';
import { Scatter, axisTitle, metricOf, type Theme } from './scatter.js';
import { TrialTable } from './table.js';

declare function acquireVsCodeApi(): DashboardWebviewApi;

const vscode = acquireVsCodeApi();
let state: DashboardState = vscode.getState() ?? { dir: '' };
const model = new RunModel();
let status: RunStatus = 'running';
let message: string | undefined;
let selected: number[] = [];
let historyKind: 'best' | 'hypervolume' | 'epochs' = 'best';

function themeOf(): Theme {
  const css = getComputedStyle(document.documentElement);
  const v = (name: string, fallback: string) => css.getPropertyValue(name).trim() || fallback;
  const dark = document.body.classList.contains('vscode-dark') || document.body.classList.contains('vscode-high-contrast');
  return {
    fg: v('--vscode-foreground', dark ? '#cccccc' : '#3b3b3b'),
    bg: v('--vscode-editor-background', dark ? '#1f1f1f' : '#ffffff'),
    grid: dark ? 'rgba(255,255,255,0.08)' : 'rgba(0,0,0,0.08)',
    front: v('--vscode-charts-blue', dark ? '#3794ff' : '#1a85ff'),
    infeasible: v('--vscode-charts-red', dark ? '#f14c4c' : '#e51400'),
    select: v('--vscode-charts-orange', dark ? '#d18616' : '#d18616'),
    font: v('--vscode-font-family', 'sans-serif'),
  };
}

// ------------------------------------------------------------ layout
const app = document.getElementById('app')!;
const toolbar = el('div', 'toolbar');
const summary = el('div', 'summary');
const body = el('div', 'body');
const plotBox = el('div', 'plot');
const side = el('div', 'side');
const legend = el('div', 'legend');
const details = el('div', 'details');
const tooltip = el('div', 'tooltip');
let theme = themeOf();
const scatter = new Scatter(theme);
const history = new HistoryChart(theme);
const epochs = new EpochsChart(theme);
const table = new TrialTable(
  state.sort ?? { column: 'trial', descending: false },
  state.filter ?? '',
  (order, filter) => {
    save({ sort: order, filter });
    tableDirty = true;
    schedule();
  },
  (trial) => vscode.postMessage({ type: 'open', trial }),
);
const xSelect = select('X axis');
const ySelect = select('Y axis');
const colorSelect = select('Colour');
const historySelect = select('History');
const compareButton = button('Compare', 'Compare the two selected trials (shift-click selects)', () => {
  if (selected.length === 2) vscode.postMessage({ type: 'compare', trials: [selected[0]!, selected[1]!] });
});
toolbar.append(
  xSelect.label,
  ySelect.label,
  colorSelect.label,
  compareButton,
  button('SVG', 'Export the plot as SVG', () => exportAs('svg')),
  button('PNG', 'Export the plot as PNG', () => exportAs('png')),
  button('CSV', 'Export the trial table as CSV', () => exportAs('csv')),
);
plotBox.append(scatter.element, tooltip);
side.append(historySelect.label, history.element, epochs.element, legend, details);
body.append(plotBox, side);
app.append(toolbar, summary, body, table.element);

function el(tag: string, className: string): HTMLDivElement {
  const e = document.createElement(tag) as HTMLDivElement;
  e.className = className;
  return e;
}

function select(title: string): { label: HTMLLabelElement; select: HTMLSelectElement } {
  const label = document.createElement('label');
  label.textContent = `${title} `;
  const s = document.createElement('select');
  s.setAttribute('aria-label', title);
  label.append(s);
  return { label, select: s };
}

function button(text: string, title: string, click: () => void): HTMLButtonElement {
  const b = document.createElement('button');
  b.textContent = text;
  b.title = title;
  b.addEventListener('click', click);
  return b;
}

function fill(s: HTMLSelectElement, options: readonly [string, string][], value: string): void {
  const key = options.map((o) => o.join('=')).join('|');
  if (s.dataset['options'] !== key) {
    s.replaceChildren(...options.map(([v, text]) => new Option(text, v)));
    s.dataset['options'] = key;
  }
  s.value = value;
}

function save(patch: Partial<DashboardState>): void {
  state = { ...state, ...patch };
  vscode.setState(state);
}

// ------------------------------------------------------------ axes and drawing
function axes(): { x: string; y: string; color: string } {
  const objectives = model.info?.manifest.objectives.map((o) => o.metric) ?? [];
  const has = (m: string | undefined) => m !== undefined && (m === 'trial' || model.metrics.includes(m));
  // Accuracy against MACs by default: the second objective across, the first up.
  const x = has(state.x) ? state.x! : objectives.length >= 2 ? objectives[1]! : has('macs') ? 'macs' : 'trial';
  const y = has(state.y) ? state.y! : (objectives[0] ?? model.metrics[0] ?? 'trial');
  const color = state.color && (state.color === 'none' || has(state.color)) ? state.color : (objectives[2] ?? 'none');
  return { x, y, color };
}

let tableDirty = true;
let lastTable = 0;
let pending = false;
let renders = 0;

function schedule(): void {
  if (pending) return;
  pending = true;
  requestAnimationFrame(render);
}

function render(): void {
  pending = false;
  if (!model.info) return;
  const started = performance.now();
  const { x, y, color } = axes();
  model.setAxes(x, y);
  const metricOptions = model.metrics.map((m) => [m, m] as [string, string]);
  fill(xSelect.select, [...metricOptions, ['trial', 'trial (order)']], x);
  fill(ySelect.select, [...metricOptions, ['trial', 'trial (order)']], y);
  fill(colorSelect.select, [['none', 'none'], ...metricOptions, ['trial', 'trial (order)']], color);
  const hv = model.hypervolume.length > 0;
  const trained = EpochsChart.has(model.trials);
  if ((!hv && historyKind === 'hypervolume') || (!trained && historyKind === 'epochs')) historyKind = 'best';
  const historyOptions: [string, string][] = [['best', 'best so far']];
  if (hv) historyOptions.push(['hypervolume', 'hypervolume']);
  if (trained) historyOptions.push(['epochs', 'accuracy per epoch']);
  fill(historySelect.select, historyOptions, historyKind);
  const { sx, sy } = model.signs;
  const front = model.front.points;
  const constraints = (model.info.manifest.constraints ?? []).map(parseConstraint).filter((c) => c !== undefined);
  scatter.draw({ trials: model.trials, x, y, sx, sy, color: color === 'none' ? undefined : color, front, constraints, selected });
  const first = model.info.manifest.objectives[0]?.metric ?? y;
  history.element.hidden = historyKind === 'epochs';
  epochs.element.hidden = historyKind !== 'epochs';
  if (historyKind === 'epochs') epochs.draw(model.trials, new Set(front.map((p) => p.trial)), selected);
  else if (historyKind === 'hypervolume') history.draw('Hypervolume of the front after each trial', 'hypervolume', model.hypervolume);
  else history.draw(`Best ${first} so far`, first, model.best);
  drawSummary(front.length);
  drawLegend(color);
  compareButton.disabled = selected.length !== 2;
  // The table is re-sorted at most four times a second while trials stream in.
  if (tableDirty && (performance.now() - lastTable > 250 || status !== 'running')) {
    table.render(model.trials, model.metrics, new Set(front.map((p) => p.trial)));
    tableDirty = false;
    lastTable = performance.now();
  } else if (tableDirty) {
    setTimeout(schedule, 260);
  }
  document.body.dataset['front'] = front.map((p) => p.trial).join(',');
  document.body.dataset['drawMs'] = (performance.now() - started).toFixed(3);
  document.body.dataset['renders'] = String(++renders);
}

function drawSummary(frontSize: number): void {
  const info = model.info!;
  const failed = model.trials.filter((t) => t.status === 'error').length;
  const infeasible = model.trials.filter((t) => t.feasible === false).length;
  const parts = [`${info.name}`, statusText(), `${model.trials.length}/${info.manifest.budget.queries} trials`];
  if (info.manifest.objectives.length > 1 || frontSize) parts.push(`front ${frontSize}`);
  if (infeasible) parts.push(`${infeasible} infeasible`);
  if (failed) parts.push(`${failed} failed`);
  const best = model.best[model.best.length - 1];
  const first = info.manifest.objectives[0]?.metric;
  if (first && best !== undefined && Number.isFinite(best)) parts.push(`best ${first} ${formatValue(first, best)}`);
  summary.textContent = parts.join(' · ');
  summary.title = message ?? '';
}

function statusText(): string {
  return status === 'failed' && message ? `failed: ${message.split('\n')[0]}` : status;
}

function drawLegend(color: string): void {
  const items = [
    `<span class="key front"></span> nondominated (${model.front.points.length})`,
    `<span class="key dominated"></span> dominated`,
    `<span class="key infeasible"></span> infeasible`,
  ];
  if (color !== 'none') items.push(`<span class="ramp"></span> colour: ${color}`);
  legend.innerHTML = items.map((i) => `<div>${i}</div>`).join('');
}

function describe(t: TrialRecord): string {
  const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;');
  const rows = model.metrics
    .filter((m) => t.metrics[m] !== undefined)
    .map((m) => `<tr><td>${esc(m)}</td><td class="num">${esc(formatValue(m, t.metrics[m]!))}</td></tr>`);
  const state =
    t.status === 'error'
      ? `failed: ${esc(t.error ?? '')}`
      : t.feasible === false
        ? 'infeasible'
        : model.front.points.some((p) => p.trial === t.trial)
          ? 'on the front'
          : 'dominated';
  return `<div class="tip-head">trial ${t.trial} · ${state}</div><table>${rows.join('')}</table><div class="arch">${esc(t.arch)}</div>${readable(t, esc)}`;
}

/** The `with { ... }` block of a trial's readable .nas text (its first lines), where the record has it. */
function readable(t: TrialRecord, esc: (s: string) => string): string {
  const lines = t.nas?.split('\n') ?? [];
  const start = lines.findIndex((l) => /^network \S+ = .* with \{/.test(l));
  if (start < 0) return '';
  const body = lines.slice(start + 1, lines.lastIndexOf('}')).map((l) => l.slice(2));
  const shown = body.length > 14 ? [...body.slice(0, 13), `… ${body.length - 13} more lines`] : body;
  return `<pre class="nas">${esc(shown.join('\n'))}</pre>`;
}

// ------------------------------------------------------------ interaction
const canvasPoint = (e: MouseEvent) => {
  const r = scatter.element.getBoundingClientRect();
  return [e.clientX - r.left, e.clientY - r.top] as const;
};
scatter.element.addEventListener('mousemove', (e) => {
  const t = scatter.hit(...canvasPoint(e));
  if (t?.trial !== scatter.hover) {
    scatter.hover = t?.trial;
    scatter.redrawOverlay();
  }
  if (!t) {
    tooltip.style.display = 'none';
    return;
  }
  tooltip.innerHTML = describe(t);
  tooltip.style.display = 'block';
  const [px, py] = canvasPoint(e);
  const w = plotBox.clientWidth;
  tooltip.style.left = `${px + 14 + tooltip.offsetWidth > w ? px - 14 - tooltip.offsetWidth : px + 14}px`;
  tooltip.style.top = `${Math.max(0, py - 10)}px`;
});
scatter.element.addEventListener('mouseleave', () => {
  tooltip.style.display = 'none';
  scatter.hover = undefined;
  scatter.redrawOverlay();
});
scatter.element.addEventListener('click', (e) => {
  const t = scatter.hit(...canvasPoint(e));
  if (!t) return;
  if (e.shiftKey) {
    selected = selected.includes(t.trial) ? selected.filter((s) => s !== t.trial) : [...selected, t.trial].slice(-2);
  } else {
    selected = [t.trial];
    if (t.status === 'ok') vscode.postMessage({ type: 'open', trial: t.trial });
  }
  details.innerHTML = selected.map((s) => describe(model.trials[s - 1]!)).join('');
  schedule();
});
xSelect.select.addEventListener('change', () => (save({ x: xSelect.select.value }), schedule()));
ySelect.select.addEventListener('change', () => (save({ y: ySelect.select.value }), schedule()));
colorSelect.select.addEventListener('change', () => (save({ color: colorSelect.select.value }), schedule()));
historySelect.select.addEventListener('change', () => {
  const v = historySelect.select.value;
  historyKind = v === 'hypervolume' || v === 'epochs' ? v : 'best';
  schedule();
});
new ResizeObserver(() => schedule()).observe(scatter.element);
// VS Code changes the body's class when the colour theme changes.
new MutationObserver(() => {
  theme = themeOf();
  scatter.setTheme(theme);
  history.setTheme(theme);
  epochs.setTheme(theme);
  schedule();
}).observe(document.body, { attributes: true, attributeFilter: ['class'] });

function exportAs(format: ExportFormat): void {
  const name = `${model.info?.name ?? 'run'}-${format === 'csv' ? 'trials' : `${axes().y}-vs-${axes().x}`}.${format}`;
  const data =
    format === 'svg' ? scatter.toSvg() : format === 'png' ? scatter.toPng().replace(/^data:image\/png;base64,/, '') : table.csv(model.trials, model.metrics);
  vscode.postMessage({ type: 'exported', format, data, name });
}

window.addEventListener('message', (e: MessageEvent<DashboardHostMessage>) => {
  const m = e.data;
  switch (m.type) {
    case 'run':
      model.reset(m.info, m.done);
      status = m.info.status;
      message = m.info.message;
      selected = [];
      details.textContent = '';
      if (state.dir !== m.info.dir) save({ dir: m.info.dir });
      model.add(m.trials);
      tableDirty = true;
      break;
    case 'trials':
      model.add(m.trials);
      tableDirty = true;
      break;
    case 'status':
      status = m.status;
      message = m.message;
      if (m.done) model.done = m.done;
      tableDirty = true;
      break;
    case 'export':
      exportAs(m.format);
      return;
  }
  schedule();
});

// A debugging and testing hook: where a trial is drawn, in page pixels.
(globalThis as unknown as { nasDashboard: unknown }).nasDashboard = {
  position(trial: number): { x: number; y: number } | undefined {
    const t = model.trials[trial - 1];
    const p = t && scatter.position(t);
    if (!p) return undefined;
    const r = scatter.element.getBoundingClientRect();
    return { x: r.left + p.x, y: r.top + p.y };
  },
  axisTitles: () => [axisTitle(axes().x, model.signs.sx), axisTitle(axes().y, model.signs.sy)],
  metricOf: (trial: number, m: string) => metricOf(model.trials[trial - 1]!, m),
  /** The hypervolume after the last trial (two objectives with a reference point). */
  hypervolume: () => model.hypervolume[model.hypervolume.length - 1],
  fullDraws: () => scatter.fullDraws,
  /** The per-epoch curves last drawn: trial -> accuracies by epoch. */
  epochCurves: () => Object.fromEntries(epochs.drawn),
};

vscode.postMessage({ type: 'ready', state: vscode.getState() });
