/**
 * The trial table: sortable by any column, filtered by text (architecture, status, trial
 * number), exported as CSV. Only the first rows of the order are in the page: a table of
 * 10,000 rows in the DOM would make every live update slow.
 */
import type { TrialRecord } from '../../src/protocol/search-events.js';
import { formatValue } from './scales.js';

const ROWS_SHOWN = 200;

export interface TableOrder {
  column: string;
  descending: boolean;
}

export class TrialTable {
  readonly element: HTMLDivElement;
  private readonly table: HTMLTableElement;
  private readonly note: HTMLDivElement;
  private columns: string[] = [];
  /** What the page shows now: the rows' trials and stars, the columns, the order; unchanged, nothing is redrawn. */
  private shown = '';

  constructor(
    private order: TableOrder,
    private filter: string,
    private readonly changed: (order: TableOrder, filter: string) => void,
    private readonly open: (trial: number) => void,
  ) {
    this.element = document.createElement('div');
    this.element.className = 'table';
    const bar = document.createElement('div');
    bar.className = 'table-bar';
    const input = document.createElement('input');
    input.type = 'search';
    input.placeholder = 'Filter trials (architecture, status, trial number)';
    input.value = filter;
    input.addEventListener('input', () => {
      this.filter = input.value;
      this.changed(this.order, this.filter);
    });
    this.note = document.createElement('div');
    this.note.className = 'table-note';
    bar.append(input, this.note);
    this.table = document.createElement('table');
    const scroll = document.createElement('div');
    scroll.className = 'table-scroll';
    scroll.append(this.table);
    this.element.append(bar, scroll);
  }

  /** The trials in the table's order, filtered. */
  rows(trials: readonly TrialRecord[]): TrialRecord[] {
    const f = this.filter.trim().toLowerCase();
    const kept = f
      ? trials.filter((t) => String(t.trial) === f || t.arch.toLowerCase().includes(f) || t.status === f || (f === 'infeasible' && t.feasible === false))
      : [...trials];
    const { column, descending } = this.order;
    const key = (t: TrialRecord): number | string =>
      column === 'trial' ? t.trial : column === 'arch' ? t.arch : column === 'status' ? t.status : (t.metrics[column] ?? NaN);
    const sign = descending ? -1 : 1;
    kept.sort((a, b) => {
      const ka = key(a);
      const kb = key(b);
      if (typeof ka === 'string' || typeof kb === 'string') return sign * String(ka).localeCompare(String(kb));
      // Missing values (failed trials) last whatever the direction.
      if (Number.isNaN(ka) || Number.isNaN(kb)) return Number.isNaN(ka) ? (Number.isNaN(kb) ? 0 : 1) : -1;
      return sign * (ka - kb) || a.trial - b.trial;
    });
    return kept;
  }

  render(trials: readonly TrialRecord[], metrics: readonly string[], front: ReadonlySet<number>): void {
    this.columns = ['trial', ...metrics, 'status', 'arch'];
    const rows = this.rows(trials);
    const shown = rows.slice(0, ROWS_SHOWN);
    // Sorted by trial, a live run's new trials land past the shown rows: the DOM stays as it is.
    const key = `${this.columns.join(',')}|${this.order.column}|${this.order.descending}|${rows.length > ROWS_SHOWN}|${shown.map((t) => (front.has(t.trial) ? -t.trial : t.trial)).join(',')}`;
    this.note.textContent = rows.length > ROWS_SHOWN ? `first ${ROWS_SHOWN} of ${rows.length} trials (sort or filter to see others)` : `${rows.length} trials`;
    if (key === this.shown) return;
    this.shown = key;
    const head = this.columns
      .map((c) => {
        const mark = c === this.order.column ? (this.order.descending ? ' ▼' : ' ▲') : '';
        return `<th data-column="${c}">${c}${mark}</th>`;
      })
      .join('');
    const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;');
    const body = shown
      .map((t) => {
        const cells = this.columns.map((c) => {
          if (c === 'trial') return `<td>${t.trial}${front.has(t.trial) ? ' ★' : ''}</td>`;
          if (c === 'status') return `<td>${t.status === 'error' ? 'failed' : t.feasible === false ? 'infeasible' : 'ok'}</td>`;
          if (c === 'arch') return `<td class="arch" title="${esc(t.error ?? t.arch)}">${esc(t.status === 'error' ? (t.error ?? '') : t.arch)}</td>`;
          const v = t.metrics[c];
          return `<td class="num">${v === undefined ? '' : esc(formatValue(c, v))}</td>`;
        });
        return `<tr data-trial="${t.trial}">${cells.join('')}</tr>`;
      })
      .join('');
    this.table.innerHTML = `<thead><tr>${head}</tr></thead><tbody>${body}</tbody>`;
    for (const th of Array.from(this.table.querySelectorAll('th'))) {
      th.addEventListener('click', () => {
        const column = th.dataset['column']!;
        this.order = { column, descending: column === this.order.column ? !this.order.descending : column !== 'trial' };
        this.changed(this.order, this.filter);
      });
    }
    for (const tr of Array.from(this.table.querySelectorAll('tbody tr')) as HTMLTableRowElement[]) {
      tr.addEventListener('dblclick', () => this.open(Number(tr.dataset['trial'])));
    }
  }

  /** Every trial (not only the shown rows) in the table's order and filter, as CSV. */
  csv(trials: readonly TrialRecord[], metrics: readonly string[]): string {
    const q = (s: string) => (/[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s);
    const lines = [['trial', ...metrics, 'status', 'feasible', 'seconds', 'id', 'arch', 'encoding'].join(',')];
    for (const t of this.rows(trials)) {
      lines.push([t.trial, ...metrics.map((m) => t.metrics[m] ?? ''), t.status, t.feasible !== false, t.seconds, t.id, q(t.arch), q(t.encoding)].join(','));
    }
    return lines.join('\n') + '\n';
  }
}
