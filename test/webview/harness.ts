/**
 * The graph webview in headless Chromium (playwright-core, Debian's /usr/bin/chromium): the
 * page the extension serves (src/extension/graph-page.ts, same CSP) over a local HTTP server,
 * VS Code's theme variables of the Light Modern or Dark Modern theme, and a stand-in for
 * `acquireVsCodeApi` that records what the page posts.
 */
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as path from 'node:path';
import type { AddressInfo } from 'node:net';
import { chromium, type Browser, type Page } from 'playwright-core';
import { graphPage } from '../../src/extension/graph-page.js';
import { DARK, LIGHT, THEME_VARIABLES, type ColorRole, type Palette } from '../../src/core/views/palette.js';
import type { GraphViewState, HostMessage, WebviewMessage } from '../../src/protocol/graph-view.js';
import type { LayoutHostMessage, LayoutPageMessage } from '../../src/protocol/graph-layout.js';

/** A stand-in for the host's layouts (src/extension/graph-panel.ts asks the language server). */
export type HostLayout = (message: LayoutPageMessage) => Promise<LayoutHostMessage | undefined>;

const ROOT = path.resolve(import.meta.dirname, '../..');
const DIST = path.join(ROOT, 'dist/webview');

/** The variables VS Code sets on a webview's html element, for one theme (the views' roles and the controls'). */
export function themeCss(theme: 'light' | 'dark'): string {
  const p: Palette = theme === 'light' ? LIGHT : DARK;
  const vars: Record<string, string> = {};
  for (const role of Object.keys(THEME_VARIABLES) as ColorRole[]) vars[THEME_VARIABLES[role]] = p[role];
  Object.assign(vars, {
    '--vscode-font-family': "'Segoe UI', Ubuntu, 'DejaVu Sans', sans-serif",
    '--vscode-font-size': '13px',
    '--vscode-foreground': p.foreground,
    '--vscode-panel-border': p.border,
    '--vscode-widget-border': p.border,
    '--vscode-editorHoverWidget-background': theme === 'light' ? '#f8f8f8' : '#202020',
    '--vscode-editorHoverWidget-border': p.border,
    '--vscode-button-background': theme === 'light' ? '#005fb8' : '#0078d4',
    '--vscode-button-foreground': '#ffffff',
    '--vscode-button-secondaryBackground': theme === 'light' ? '#e5e5e5' : '#313131',
    '--vscode-button-secondaryForeground': theme === 'light' ? '#3b3b3b' : '#cccccc',
    '--vscode-input-background': theme === 'light' ? '#ffffff' : '#313131',
    '--vscode-input-foreground': p.foreground,
    '--vscode-dropdown-background': theme === 'light' ? '#ffffff' : '#313131',
    '--vscode-dropdown-foreground': p.foreground,
    '--vscode-dropdown-border': p.border,
    '--vscode-notifications-background': p.frame,
    // What @vscode-elements/elements reads (VS Code's Light Modern / Dark Modern values).
    '--vscode-font-weight': 'normal',
    '--vscode-settings-textInputBackground': theme === 'light' ? '#ffffff' : '#313131',
    '--vscode-settings-textInputForeground': p.foreground,
    '--vscode-settings-dropdownBackground': theme === 'light' ? '#ffffff' : '#313131',
    '--vscode-settings-dropdownForeground': p.foreground,
    '--vscode-settings-dropdownBorder': theme === 'light' ? '#cecece' : '#3c3c3c',
    '--vscode-settings-dropdownListBorder': p.border,
    '--vscode-checkbox-background': theme === 'light' ? '#f8f8f8' : '#313131',
    '--vscode-checkbox-foreground': p.foreground,
    '--vscode-checkbox-border': theme === 'light' ? '#cecece' : '#3c3c3c',
    '--vscode-list-activeSelectionBackground': theme === 'light' ? '#e8e8e8' : '#04395e',
    '--vscode-list-activeSelectionForeground': p.foreground,
    '--vscode-list-hoverBackground': theme === 'light' ? '#f2f2f2' : '#2a2d2e',
    '--vscode-button-hoverBackground': theme === 'light' ? '#0258a8' : '#026ec1',
    '--vscode-button-secondaryHoverBackground': theme === 'light' ? '#cccccc' : '#3c3c3c',
    '--vscode-button-border': theme === 'light' ? '#0000001a' : '#ffffff12',
    '--vscode-input-placeholderForeground': theme === 'light' ? '#767676' : '#989898',
  });
  return `html{${Object.entries(vars)
    .map(([k, v]) => `${k}:${v}`)
    .join(';')}}`;
}

/** What the page's global object has, as the callbacks below (run in the page) use it. */
interface PageGlobals {
  __posted: unknown[];
  __state: unknown;
  acquireVsCodeApi: () => unknown;
  postMessage(message: unknown, target: string): void;
  document: { body: { dataset: Record<string, string | undefined> } };
}

export interface Harness {
  browser: Browser;
  /** With `hostLayout`, the page is the panel's (it sends its layouts to the host) and `hostLayout` answers them. */
  open(theme: 'light' | 'dark', state?: GraphViewState, hostLayout?: HostLayout): Promise<GraphPage>;
  close(): Promise<void>;
}

export interface GraphPage {
  page: Page;
  send(message: HostMessage): Promise<void>;
  posted(): Promise<WebviewMessage[]>;
  /** Waits until the page has drawn `n` times in all. */
  rendered(n: number): Promise<void>;
  state(): Promise<GraphViewState | undefined>;
}

export async function startHarness(): Promise<Harness> {
  if (!fs.existsSync(path.join(DIST, 'graph.js'))) throw new Error('dist/webview/graph.js is missing: run npm run build');
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const send = (type: string, body: string | Buffer) => {
      res.writeHead(200, { 'content-type': type });
      res.end(body);
    };
    if (url.pathname === '/light.html' || url.pathname === '/dark.html') {
      const theme = url.pathname.slice(1, -5) as 'light' | 'dark';
      const html = graphPage({
        cspSource: origin,
        nonce: 'test-nonce',
        script: `${origin}/dist/graph.js`,
        worker: `${origin}/dist/graph-worker.js`,
        styles: [`${origin}/theme-${theme}.css`, `${origin}/dist/graph.css`],
        hostLayout: url.searchParams.has('host-layout'),
      }).replace('<body ', `<body class="vscode-${theme}" `);
      return send('text/html', html);
    }
    if (url.pathname === '/favicon.ico') {
      res.writeHead(204);
      return res.end();
    }
    if (url.pathname.startsWith('/theme-')) return send('text/css', themeCss(url.pathname.includes('light') ? 'light' : 'dark'));
    if (url.pathname.startsWith('/dist/')) {
      const file = path.join(DIST, path.basename(url.pathname));
      if (fs.existsSync(file)) return send(file.endsWith('.css') ? 'text/css' : 'text/javascript', fs.readFileSync(file));
    }
    res.writeHead(404);
    res.end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
  return {
    browser,
    async open(theme, state, hostLayout) {
      const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
      if (hostLayout) await page.exposeFunction('__hostLayout', hostLayout);
      const errors: string[] = [];
      page.on('pageerror', (e) => errors.push(e.message));
      page.on('console', (m) => {
        if (m.type() === 'error') errors.push(m.text());
      });
      // As text: tsx (the benchmark) would wrap a function's inner functions in a helper the page lacks.
      await page.addInitScript({
        content: `(() => {
          const w = globalThis;
          w.__posted = [];
          w.__state = ${JSON.stringify(state ?? null)} ?? undefined;
          w.acquireVsCodeApi = () => ({
            postMessage: (m) => {
              if (m.type === 'layout' || m.type === 'layoutCancel') {
                if (w.__hostLayout) w.__hostLayout(m).then((r) => r && w.postMessage(r, '*'));
              } else w.__posted.push(m);
            },
            getState: () => w.__state,
            setState: (s) => (w.__state = s),
          });
        })();`,
      });
      await page.goto(`${origin}/${theme}.html${hostLayout ? '?host-layout' : ''}`);
      await page.waitForFunction(() => ((globalThis as unknown as PageGlobals).__posted as Array<{ type: string }>).some((m) => m.type === 'ready'));
      (page as unknown as { __errors: string[] }).__errors = errors;
      return {
        page,
        send: async (message) => {
          await page.evaluate((m) => (globalThis as unknown as PageGlobals).postMessage(m, '*'), message as unknown as Record<string, unknown>);
        },
        posted: () => page.evaluate(() => (globalThis as unknown as PageGlobals).__posted as WebviewMessage[]),
        rendered: async (n) => {
          await page.waitForFunction((k) => Number((globalThis as unknown as PageGlobals).document.body.dataset['renders'] ?? 0) >= k, n, { timeout: 60_000 });
        },
        state: () => page.evaluate(() => (globalThis as unknown as PageGlobals).__state as GraphViewState | undefined),
      };
    },
    async close() {
      await browser.close();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

/** Errors the page logged (CSP violations, exceptions). */
export function pageErrors(p: GraphPage): string[] {
  return (p.page as unknown as { __errors: string[] }).__errors;
}
