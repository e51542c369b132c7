/**
 * The drawing area: shows an SVG, pans (drag) and zooms (wheel, buttons), fits, tells which
 * box or edge is under the pointer, shows the hover tooltip and marks boxes (selected,
 * matching a search).
 */
import type { Scene, SceneNode } from '../../src/core/views/elk-graph.js';
import type { Viewport } from '../../src/protocol/graph-view.js';

const MIN_SCALE = 0.05;
const MAX_SCALE = 4;
/** Below this scale box titles are too small to read. */
const READABLE_SCALE = 0.4;

export interface CanvasEvents {
  /** A click on a box (`node`) or an edge (`edge`), by view id. */
  click(kind: 'node' | 'edge', id: string): void;
  /** A double click on a box. */
  toggle(id: string): void;
  /** The viewport moved (to persist it). */
  moved(viewport: Viewport): void;
}

export class Canvas {
  readonly element: HTMLDivElement;
  private readonly stage: HTMLDivElement;
  private readonly tooltip: HTMLDivElement;
  private view: Viewport = { x: 0, y: 0, scale: 1 };
  private size = { width: 0, height: 0 };
  private scene: Scene | undefined;
  /** The SVG y of the scene's origin (the header above it). */
  private offset = 0;
  private tips = new Map<string, string[]>();
  private drag: { x: number; y: number; vx: number; vy: number; moved: boolean } | undefined;

  constructor(
    parent: HTMLElement,
    private readonly events: CanvasEvents,
  ) {
    this.element = document.createElement('div');
    this.element.className = 'viewport';
    this.element.tabIndex = 0;
    this.stage = document.createElement('div');
    this.stage.className = 'stage';
    this.tooltip = document.createElement('div');
    this.tooltip.className = 'tooltip';
    this.tooltip.setAttribute('role', 'tooltip');
    this.element.append(this.stage, this.tooltip);
    parent.append(this.element);
    this.listen();
  }

  /** Shows `svg`, the drawing of `scene` whose origin is `offset` below the SVG's top. */
  mount(svg: string, scene: Scene, offset: number, size: { width: number; height: number }): void {
    // The SVG is our own renderer's output, every text escaped (src/core/views/svg.ts).
    this.stage.innerHTML = svg;
    this.scene = scene;
    this.offset = offset;
    this.size = size;
    this.tips = new Map();
    for (const s of scene.nodes) this.tips.set(s.node.id, s.node.tooltip);
    for (const e of scene.edges) this.tips.set(e.edge.id, e.edge.tooltip);
    this.apply();
  }

  get viewport(): Viewport {
    return { ...this.view };
  }

  set viewport(v: Viewport) {
    this.view = { ...v, scale: clamp(v.scale) };
    this.apply();
  }

  /**
   * The whole picture in view, no larger than 1.5× its size; a picture so long that it would
   * be unreadable (an expanded network) fits its width instead, from the top.
   */
  fit(): void {
    const r = this.element.getBoundingClientRect();
    if (!this.size.width || !r.width || !r.height) return;
    const whole = Math.min((r.width - 16) / this.size.width, (r.height - 16) / this.size.height, 1.5);
    if (whole >= READABLE_SCALE) {
      const scale = clamp(whole);
      this.view = { scale, x: (r.width - this.size.width * scale) / 2, y: Math.max(8, (r.height - this.size.height * scale) / 2) };
    } else {
      const scale = clamp(Math.max(whole, Math.min(1, (r.width - 16) / this.size.width)));
      this.view = { scale, x: Math.max(8, (r.width - this.size.width * scale) / 2), y: 8 };
    }
    this.apply();
  }

  zoom(factor: number, at?: { x: number; y: number }): void {
    const r = this.element.getBoundingClientRect();
    const p = at ?? { x: r.width / 2, y: r.height / 2 };
    const scale = clamp(this.view.scale * factor);
    const k = scale / this.view.scale;
    this.view = { scale, x: p.x - (p.x - this.view.x) * k, y: p.y - (p.y - this.view.y) * k };
    this.apply();
  }

  /** Where box `id`'s centre is on screen (relative to the viewport), if drawn. */
  screenPoint(id: string): { x: number; y: number } | undefined {
    const s = this.box(id);
    if (!s) return undefined;
    return { x: this.view.x + (s.x + s.width / 2) * this.view.scale, y: this.view.y + (s.y + s.height / 2 + this.offset) * this.view.scale };
  }

  /** Moves the picture so that box `id` sits at `point` on screen (keeps a box still across a new layout). */
  anchor(id: string, point: { x: number; y: number }): boolean {
    const s = this.box(id);
    if (!s) return false;
    this.view = { ...this.view, x: point.x - (s.x + s.width / 2) * this.view.scale, y: point.y - (s.y + s.height / 2 + this.offset) * this.view.scale };
    this.apply();
    return true;
  }

  /** Brings box `id` into view when it is outside, keeping the scale. */
  reveal(id: string): void {
    const p = this.screenPoint(id);
    const r = this.element.getBoundingClientRect();
    if (!p || (p.x > 0 && p.y > 0 && p.x < r.width && p.y < r.height)) return;
    this.anchor(id, { x: r.width / 2, y: r.height / 2 });
  }

  /** The box nearest the middle of the view (for anchoring across layouts). */
  centreBox(): string | undefined {
    if (!this.scene) return undefined;
    const r = this.element.getBoundingClientRect();
    let best: { id: string; d: number } | undefined;
    for (const s of this.scene.nodes) {
      if (s.node.children) continue;
      const p = this.screenPoint(s.node.id)!;
      const d = Math.hypot(p.x - r.width / 2, p.y - r.height / 2);
      if (!best || d < best.d) best = { id: s.node.id, d };
    }
    return best?.id;
  }

  /** Puts `cls` on exactly the drawn elements of `ids`. */
  mark(cls: string, ids: Iterable<string>): void {
    for (const el of this.stage.querySelectorAll(`.${cls}`)) el.classList.remove(cls);
    for (const id of ids) for (const el of this.stage.querySelectorAll(`[data-id="${CSS.escape(id)}"]`)) el.classList.add(cls);
  }

  private box(id: string): SceneNode | undefined {
    return this.scene?.nodes.find((s) => s.node.id === id);
  }

  private apply(): void {
    this.stage.style.transform = `translate(${this.view.x}px, ${this.view.y}px) scale(${this.view.scale})`;
  }

  private hit(target: EventTarget | null): { kind: 'node' | 'edge'; id: string } | undefined {
    const el = (target as Element | null)?.closest?.('[data-id]');
    if (!el) return undefined;
    const id = el.getAttribute('data-id')!;
    return { kind: el.classList.contains('nas-edge') || el.classList.contains('nas-elabel') ? 'edge' : 'node', id };
  }

  private listen(): void {
    const el = this.element;
    el.addEventListener(
      'wheel',
      (e) => {
        e.preventDefault();
        const r = el.getBoundingClientRect();
        this.zoom(Math.exp(-e.deltaY * (e.deltaMode === 1 ? 0.05 : 0.0015)), { x: e.clientX - r.left, y: e.clientY - r.top });
        this.events.moved(this.viewport);
      },
      { passive: false },
    );
    el.addEventListener('pointerdown', (e) => {
      if (e.button !== 0) return;
      this.drag = { x: e.clientX, y: e.clientY, vx: this.view.x, vy: this.view.y, moved: false };
    });
    el.addEventListener('pointermove', (e) => {
      if (this.drag && (e.buttons & 1) === 1) {
        const dx = e.clientX - this.drag.x;
        const dy = e.clientY - this.drag.y;
        if (!this.drag.moved && Math.hypot(dx, dy) < 4) return;
        if (!this.drag.moved) el.setPointerCapture(e.pointerId);
        this.drag.moved = true;
        this.view = { ...this.view, x: this.drag.vx + dx, y: this.drag.vy + dy };
        this.apply();
        this.hideTip();
        return;
      }
      this.showTip(e);
    });
    el.addEventListener('pointerup', (e) => {
      const d = this.drag;
      this.drag = undefined;
      if (d?.moved) {
        this.events.moved(this.viewport);
        return;
      }
      const h = this.hit(e.target);
      if (h) this.events.click(h.kind, h.id);
    });
    el.addEventListener('dblclick', (e) => {
      const h = this.hit(e.target);
      if (h?.kind === 'node') this.events.toggle(h.id);
    });
    el.addEventListener('pointerleave', () => this.hideTip());
    el.addEventListener('keydown', (e) => {
      if (e.key === '+' || e.key === '=') this.zoom(1.2);
      else if (e.key === '-') this.zoom(1 / 1.2);
      else if (e.key === '0') this.fit();
      else return;
      this.events.moved(this.viewport);
    });
  }

  private showTip(e: PointerEvent): void {
    const h = this.hit(e.target);
    const lines = h ? this.tips.get(h.id) : undefined;
    if (!lines || lines.length === 0) {
      this.hideTip();
      return;
    }
    this.tooltip.replaceChildren(
      ...lines.map((l, i) => {
        const div = document.createElement('div');
        div.textContent = l;
        if (i === 0) div.className = 'tip-title';
        return div;
      }),
    );
    const r = this.element.getBoundingClientRect();
    this.tooltip.style.left = `${Math.min(e.clientX - r.left + 14, r.width - 260)}px`;
    this.tooltip.style.top = `${e.clientY - r.top + 16}px`;
    this.tooltip.classList.add('shown');
  }

  private hideTip(): void {
    this.tooltip.classList.remove('shown');
  }
}

function clamp(scale: number): number {
  return Math.min(MAX_SCALE, Math.max(MIN_SCALE, scale));
}
