/**
 * The view's controls, made of @vscode-elements/elements (the successor of the archived
 * @vscode/webview-ui-toolkit), which take VS Code's theme colours themselves.
 */
import '@vscode-elements/elements/dist/vscode-button/index.js';
import '@vscode-elements/elements/dist/vscode-checkbox/index.js';
import '@vscode-elements/elements/dist/vscode-option/index.js';
import '@vscode-elements/elements/dist/vscode-progress-ring/index.js';
import '@vscode-elements/elements/dist/vscode-single-select/index.js';
import '@vscode-elements/elements/dist/vscode-textfield/index.js';

export interface SelectElement extends HTMLElement {
  value: string;
}
export interface CheckboxElement extends HTMLElement {
  checked: boolean;
}
export interface TextfieldElement extends HTMLElement {
  value: string;
}

export function el<K extends keyof HTMLElementTagNameMap>(tag: K, cls?: string, text?: string): HTMLElementTagNameMap[K] {
  const e = document.createElement(tag);
  if (cls) e.className = cls;
  if (text !== undefined) e.textContent = text;
  return e;
}

export function button(label: string, title: string, onClick: () => void, secondary = true): HTMLElement {
  const b = document.createElement('vscode-button');
  b.textContent = label;
  b.title = title;
  b.setAttribute('aria-label', title);
  if (secondary) b.setAttribute('secondary', '');
  b.addEventListener('click', onClick);
  return b;
}

export function select(
  label: string,
  options: ReadonlyArray<readonly [value: string, text: string]>,
  value: string,
  onChange: (v: string) => void,
): SelectElement {
  const s = document.createElement('vscode-single-select') as SelectElement;
  s.title = label;
  s.setAttribute('aria-label', label);
  for (const [v, text] of options) {
    const o = document.createElement('vscode-option');
    o.setAttribute('value', v);
    o.textContent = text;
    if (v === value) o.setAttribute('selected', '');
    s.append(o);
  }
  s.addEventListener('change', () => onChange(s.value));
  return s;
}

export function checkbox(label: string, checked: boolean, onChange: (v: boolean) => void): CheckboxElement {
  const c = document.createElement('vscode-checkbox') as CheckboxElement;
  c.setAttribute('label', label);
  if (checked) c.setAttribute('checked', '');
  c.addEventListener('change', () => onChange(c.checked));
  return c;
}

export function textfield(placeholder: string, onInput: (v: string) => void, onEnter: () => void): TextfieldElement {
  const t = document.createElement('vscode-textfield') as TextfieldElement;
  t.setAttribute('placeholder', placeholder);
  t.setAttribute('aria-label', placeholder);
  t.addEventListener('input', () => onInput(t.value));
  t.addEventListener('keydown', (e) => {
    if ((e as KeyboardEvent).key === 'Enter') onEnter();
  });
  return t;
}

export function progressRing(): HTMLElement {
  return document.createElement('vscode-progress-ring');
}
