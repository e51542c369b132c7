/**
 * The graph view's page, as text: a Content Security Policy with a nonce for its one script,
 * styles and fetches (of the worker's code) from the webview's resource origin only, workers
 * from blobs; no data in the page: everything arrives by message after the page says `ready`.
 * Free of the vscode API, so that the Chromium tests serve the same page.
 */
export interface GraphPageAssets {
  /** The webview's resource origin (`webview.cspSource`). */
  cspSource: string;
  nonce: string;
  script: string;
  worker: string;
  styles: readonly string[];
}

function attr(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;');
}

export function graphPage(a: GraphPageAssets): string {
  const csp = [
    "default-src 'none'",
    `img-src ${a.cspSource} blob: data:`,
    `style-src ${a.cspSource}`,
    `font-src ${a.cspSource}`,
    `script-src 'nonce-${a.nonce}'`,
    `connect-src ${a.cspSource}`,
    'worker-src blob:',
  ].join('; ');
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${attr(csp)}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
${a.styles.map((s) => `<link rel="stylesheet" href="${attr(s)}">`).join('\n')}
<title>Graph</title>
</head>
<body data-worker="${attr(a.worker)}">
<div id="app"></div>
<script nonce="${attr(a.nonce)}" src="${attr(a.script)}"></script>
</body>
</html>`;
}
