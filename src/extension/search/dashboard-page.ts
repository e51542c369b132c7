/**
 * The search dashboard's page, as text: a Content Security Policy with a nonce for its one
 * script, styles from the webview's resource origin only, images from blobs and data URLs
 * (the PNG export); no data in the page: the run arrives by message after the page says
 * `ready`. Free of the vscode API, so that the Chromium tests serve the same page.
 */
export interface DashboardPageAssets {
  /** The webview's resource origin (`webview.cspSource`). */
  cspSource: string;
  nonce: string;
  script: string;
  styles: readonly string[];
}

function attr(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;');
}

export function dashboardPage(a: DashboardPageAssets): string {
  const csp = [
    "default-src 'none'",
    `img-src ${a.cspSource} blob: data:`,
    `style-src ${a.cspSource}`,
    `font-src ${a.cspSource}`,
    `script-src 'nonce-${a.nonce}'`,
  ].join('; ');
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${attr(csp)}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
${a.styles.map((s) => `<link rel="stylesheet" href="${attr(s)}">`).join('\n')}
<title>Search</title>
</head>
<body>
<div id="app"></div>
<script nonce="${attr(a.nonce)}" src="${attr(a.script)}"></script>
</body>
</html>`;
}
