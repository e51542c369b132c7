/** Axis scales and tick values for the dashboard's plots. */
import { formatSI } from '../../src/shared/format-number.js';

export interface Scale {
  min: number;
  max: number;
  /** Pixel of min and of max. */
  from: number;
  to: number;
}

export function project(s: Scale, v: number): number {
  return s.from + ((v - s.min) / (s.max - s.min || 1)) * (s.to - s.from);
}

export function invert(s: Scale, px: number): number {
  return s.min + ((px - s.from) / (s.to - s.from || 1)) * (s.max - s.min);
}

/** A domain padded by 4% on each side, so that no point sits on an axis. */
export function padded(min: number, max: number): [number, number] {
  if (!Number.isFinite(min) || !Number.isFinite(max)) return [0, 1];
  if (min === max) return [min - Math.abs(min || 1) * 0.05, max + Math.abs(max || 1) * 0.05];
  const pad = (max - min) * 0.04;
  return [min - pad, max + pad];
}

/** About `count` round tick values (1, 2 or 5 times a power of ten) inside [min, max]. */
export function ticks(min: number, max: number, count: number): number[] {
  const span = max - min;
  if (!(span > 0)) return [min];
  const raw = span / Math.max(1, count);
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * mag).find((s) => s >= raw) ?? 10 * mag;
  const out: number[] = [];
  for (let v = Math.ceil(min / step) * step; v <= max + step * 1e-9; v += step) out.push(Math.abs(v) < step * 1e-9 ? 0 : v);
  return out;
}

/** A metric's value as an axis or tooltip shows it: counts in SI (`7.78M`), others to 4 significant digits. */
export function formatValue(metric: string, v: number): string {
  if (!Number.isFinite(v)) return String(v);
  if (/^(params|macs|flops|activations|latency_ops)$/.test(metric) || Math.abs(v) >= 1e5) return formatSI(v, 3);
  if (Number.isInteger(v)) return String(v);
  return Number(v.toPrecision(4)).toString();
}
