/**
 * A webview page as text, shared by the graph view and the search dashboard: a Content
 * Security Policy with a nonce for the page's one script, styles, fonts and images from the
 * webview's resource origin only (images also from blobs and data URLs, for PNG export); no
 * data in the page: everything arrives by message after the page says `ready`. Free of the
 * vscode API, so that the Chromium tests serve the same page.
 */
export interface WebviewPageAssets {
  /** The webview's resource origin (`webview.cspSource`). */
  cspSource: string;
  nonce: string;
  script: string;
  styles: readonly string[];
}

export interface WebviewPageOptions {
  title: string;
  /** Further CSP directives (a worker's sources). */
  csp?: readonly string[];
  /** Attributes of `<body>`, their values escaped here. */
  bodyAttributes?: Record<string, string>;
}

export function attr(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;');
}

export function webviewPage(a: WebviewPageAssets, o: WebviewPageOptions): string {
  const csp = [
    "default-src 'none'",
    `img-src ${a.cspSource} blob: data:`,
    `style-src ${a.cspSource}`,
    `font-src ${a.cspSource}`,
    `script-src 'nonce-${a.nonce}'`,
    ...(o.csp ?? []),
  ].join('; ');
  const body = Object.entries(o.bodyAttributes ?? {})
    .map(([k, v]) => ` ${k}="${attr(v)}"`)
    .join('');
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${attr(csp)}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
${a.styles.map((s) => `<link rel="stylesheet" href="${attr(s)}">`).join('\n')}
<title>${o.title}</title>
</head>
<body${body}>
<div id="app"></div>
<script nonce="${attr(a.nonce)}" src="${attr(a.script)}"></script>
</body>
</html>`;
}
