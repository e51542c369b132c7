/**
 * The choices of a space, each with its options: changing one asks the host for that
 * architecture, so the picture and the cost totals follow the chosen path. Shown for spaces
 * only, listing the choices the current view draws.
 */
import type { ArchitectureGraph } from '../../src/core/views/architecture.js';
import type { ViewGraph } from '../../src/core/views/view-model.js';
import { el, select } from './controls.js';

export class ChoicesPanel {
  private readonly element: HTMLElement;

  constructor(
    parent: HTMLElement,
    private readonly decide: (decisions: Record<string, number>) => void,
  ) {
    this.element = el('aside', 'choices');
    this.element.setAttribute('aria-label', 'Choices');
    parent.append(this.element);
  }

  /** What the panel shows now: the choices and their taken options (it is rebuilt only when that changes). */
  private shown = '';

  private wanted(graph: ArchitectureGraph | undefined, view: ViewGraph): boolean {
    return graph !== undefined && graph.kind === 'space' && view.choices.length > 0 && view.kind !== 'compare';
  }

  /** Shows or hides the panel's (empty) room, so that the picture is fitted beside it. */
  reserve(graph: ArchitectureGraph | undefined, view: ViewGraph): void {
    this.element.classList.toggle('shown', this.wanted(graph, view));
  }

  show(graph: ArchitectureGraph | undefined, view: ViewGraph): void {
    if (!this.wanted(graph, view) || !graph) {
      this.element.replaceChildren();
      this.element.classList.remove('shown');
      this.shown = '';
      return;
    }
    const signature = view.choices.map((c) => `${c.key}=${c.taken}`).join(';');
    if (signature === this.shown) return;
    this.shown = signature;
    const byKey = new Map(graph.choices.map((c) => [c.key, c]));
    const current = Object.fromEntries(graph.choices.map((c) => [c.key, c.taken]));
    const rows = view.choices.map((vc) => {
      const c = byKey.get(vc.key)!;
      const row = el('div', 'choice');
      const site = vc.key.split('/')[0]!.split('@')[0]!;
      const where = c.range ? ` (line ${c.range.start.line + 1})` : '';
      const label = el('div', 'choice-label', `${c.within ? `${c.within} · ` : ''}${site}${where}`);
      label.title = vc.key;
      const s = select(
        `Option of ${vc.key}`,
        vc.labels.map((l, i) => [String(i), l] as const),
        String(vc.taken),
        (v) => this.decide({ ...current, [vc.key]: Number(v) }),
      );
      row.append(label, s);
      return row;
    });
    this.element.replaceChildren(el('div', 'choices-title', `Choices (${view.choices.length})`), ...rows);
    this.element.classList.add('shown');
  }
}
