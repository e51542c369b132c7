/**
 * The views' colours as roles, each a VS Code theme colour: in the webview the roles are CSS
 * variables of the running theme (light, dark, high contrast alike); in an exported file or
 * a `nas graph` picture they are resolved to plain colours (the webview reads the running
 * theme's, the CLI takes VS Code's default Light Modern or Dark Modern ones).
 */
import type { OpFamily } from './op-family.js';

export type ColorRole =
  | 'background'
  | 'foreground'
  | 'muted'
  | 'border'
  | 'frame'
  | 'edge'
  | 'focus'
  | 'chosen'
  | 'diff'
  | 'match'
  | 'heat'
  | `family-${OpFamily}`;

/** The VS Code theme colour of each role (as a CSS variable: `--vscode-` and the id with `-` for `.`). */
export const THEME_VARIABLES: Record<ColorRole, string> = {
  background: '--vscode-editor-background',
  foreground: '--vscode-editor-foreground',
  muted: '--vscode-descriptionForeground',
  border: '--vscode-editorWidget-border',
  frame: '--vscode-editorWidget-background',
  edge: '--vscode-editorLineNumber-foreground',
  focus: '--vscode-focusBorder',
  chosen: '--vscode-charts-orange',
  diff: '--vscode-errorForeground',
  match: '--vscode-editor-findMatchHighlightBackground',
  heat: '--vscode-charts-red',
  'family-conv': '--vscode-charts-blue',
  'family-linear': '--vscode-charts-purple',
  'family-norm': '--vscode-terminal-ansiCyan',
  'family-act': '--vscode-charts-yellow',
  'family-pool': '--vscode-charts-green',
  'family-merge': '--vscode-charts-red',
  'family-reshape': '--vscode-descriptionForeground',
  'family-skip': '--vscode-descriptionForeground',
  'family-io': '--vscode-editor-foreground',
  'family-block': '--vscode-terminal-ansiMagenta',
};

export type Palette = Record<ColorRole, string>;

/** VS Code's default Light Modern theme. */
export const LIGHT: Palette = {
  background: '#ffffff',
  foreground: '#3b3b3b',
  muted: '#616161',
  border: '#c8c8c8',
  frame: '#f8f8f8',
  edge: '#6e7681',
  focus: '#005fb8',
  chosen: '#d18616',
  diff: '#e51400',
  match: '#a8ac94',
  heat: '#e51400',
  'family-conv': '#1a85ff',
  'family-linear': '#652d90',
  'family-norm': '#0598bc',
  'family-act': '#bf8803',
  'family-pool': '#388a34',
  'family-merge': '#e51400',
  'family-reshape': '#616161',
  'family-skip': '#616161',
  'family-io': '#3b3b3b',
  'family-block': '#bc05bc',
};

/** VS Code's default Dark Modern theme. */
export const DARK: Palette = {
  background: '#1f1f1f',
  foreground: '#cccccc',
  muted: '#9d9d9d',
  border: '#454545',
  frame: '#202020',
  edge: '#6e7681',
  focus: '#0078d4',
  chosen: '#d18616',
  diff: '#f85149',
  match: '#623315',
  heat: '#f14c4c',
  'family-conv': '#3794ff',
  'family-linear': '#b180d7',
  'family-norm': '#11a8cd',
  'family-act': '#cca700',
  'family-pool': '#89d185',
  'family-merge': '#f14c4c',
  'family-reshape': '#9d9d9d',
  'family-skip': '#9d9d9d',
  'family-io': '#cccccc',
  'family-block': '#d670d6',
};

/** The palette of the running theme as CSS variables, each with the dark default as fallback. */
export function cssVariablePalette(fallback: Palette = DARK): Palette {
  const out = {} as Palette;
  for (const role of Object.keys(THEME_VARIABLES) as ColorRole[]) out[role] = `var(${THEME_VARIABLES[role]}, ${fallback[role]})`;
  return out;
}

/** A palette read from computed CSS variables (`read` gives a variable's value, empty if unset). */
export function resolvePalette(read: (variable: string) => string, fallback: Palette): Palette {
  const out = {} as Palette;
  for (const role of Object.keys(THEME_VARIABLES) as ColorRole[]) out[role] = read(THEME_VARIABLES[role]).trim() || fallback[role];
  return out;
}
