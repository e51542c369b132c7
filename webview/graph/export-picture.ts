/**
 * Exports: the picture as the view shows it, with the running theme's colours written into
 * the file (an SVG with its own `<style>`, or a PNG drawn from that SVG on a canvas).
 */
import type { Scene } from '../../src/core/views/elk-graph.js';
import { DARK, LIGHT, resolvePalette } from '../../src/core/views/palette.js';
import { renderSvg, type ColorBy } from '../../src/core/views/svg.js';

/** The running theme's colours, read from VS Code's CSS variables. */
export function themePalette(): ReturnType<typeof resolvePalette> {
  const style = getComputedStyle(document.documentElement);
  const light = document.body.classList.contains('vscode-light') || document.body.classList.contains('vscode-high-contrast-light');
  return resolvePalette((v) => style.getPropertyValue(v), light ? LIGHT : DARK);
}

export function exportSvg(scene: Scene, colorBy: ColorBy): string {
  return renderSvg(scene, { palette: themePalette(), colorBy });
}

/** Canvas limits of Chromium: 32,767 px a side and about 268 M pixels. */
const MAX_SIDE = 32_000;
const MAX_PIXELS = 2.5e8;

/** PNG bytes (base64) of the exported SVG, at twice its size where the canvas allows. */
export async function exportPng(svg: string, width: number, height: number): Promise<string> {
  const scale = Math.min(2, MAX_SIDE / width, MAX_SIDE / height, Math.sqrt(MAX_PIXELS / (width * height)));
  const url = URL.createObjectURL(new Blob([svg], { type: 'image/svg+xml' }));
  try {
    const img = new Image();
    img.src = url;
    await img.decode();
    const canvas = document.createElement('canvas');
    canvas.width = Math.max(1, Math.floor(width * scale));
    canvas.height = Math.max(1, Math.floor(height * scale));
    const ctx = canvas.getContext('2d')!;
    ctx.drawImage(img, 0, 0, canvas.width, canvas.height);
    const dataUrl = canvas.toDataURL('image/png');
    return dataUrl.slice(dataUrl.indexOf(',') + 1);
  } finally {
    URL.revokeObjectURL(url);
  }
}
