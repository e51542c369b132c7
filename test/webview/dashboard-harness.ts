/**
 * The search dashboard's page (src/extension/search/dashboard-page.ts, same CSP) in headless
 * Chromium (playwright-core, Debian's /usr/bin/chromium), served over a local HTTP server with
 * VS Code's Light Modern or Dark Modern theme variables (test/webview/harness.ts) and a
 * stand-in for `acquireVsCodeApi` that records what the page posts.
 */
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as path from 'node:path';
import type { AddressInfo } from 'node:net';
import { chromium, type Browser, type Page } from 'playwright-core';
import { dashboardPage } from '../../src/extension/search/dashboard-page.js';
import type { DashboardHostMessage, DashboardState, DashboardWebviewMessage } from '../../src/protocol/dashboard.js';
import { themeCss } from './harness.js';

const DIST = path.resolve(import.meta.dirname, '../../dist/webview');

interface PageGlobals {
  __posted: DashboardWebviewMessage[];
  __state: DashboardState | undefined;
  postMessage(message: unknown, target: string): void;
  document: { body: { dataset: Record<string, string | undefined> } };
}

export interface DashboardPage {
  page: Page;
  errors: string[];
  send(message: DashboardHostMessage): Promise<void>;
  posted(): Promise<DashboardWebviewMessage[]>;
  /** Waits until the page has drawn `n` times in all. */
  rendered(n: number): Promise<void>;
  renders(): Promise<number>;
  state(): Promise<DashboardState | undefined>;
}

export interface DashboardHarness {
  browser: Browser;
  open(theme: 'light' | 'dark', state?: DashboardState, viewport?: { width: number; height: number }): Promise<DashboardPage>;
  close(): Promise<void>;
}

export async function startDashboardHarness(): Promise<DashboardHarness> {
  if (!fs.existsSync(path.join(DIST, 'dashboard.js'))) throw new Error('dist/webview/dashboard.js is missing: run npm run build');
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const send = (type: string, body: string | Buffer) => {
      res.writeHead(200, { 'content-type': type });
      res.end(body);
    };
    if (url.pathname === '/light.html' || url.pathname === '/dark.html') {
      const theme = url.pathname.slice(1, -5) as 'light' | 'dark';
      const html = dashboardPage({
        cspSource: origin,
        nonce: 'test-nonce',
        script: `${origin}/dist/dashboard.js`,
        styles: [`${origin}/theme-${theme}.css`, `${origin}/dist/dashboard.css`],
      }).replace('<body>', `<body class="vscode-${theme}">`);
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
    async open(theme, state, viewport = { width: 1280, height: 860 }) {
      const page = await browser.newPage({ viewport });
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
            postMessage: (m) => w.__posted.push(m),
            getState: () => w.__state,
            setState: (s) => (w.__state = s),
          });
        })();`,
      });
      await page.goto(`${origin}/${theme}.html`);
      await page.waitForFunction(() => (globalThis as unknown as PageGlobals).__posted.some((m) => m.type === 'ready'));
      return {
        page,
        errors,
        send: async (message) => {
          await page.evaluate((m) => (globalThis as unknown as PageGlobals).postMessage(m, '*'), message as unknown as Record<string, unknown>);
        },
        posted: () => page.evaluate(() => (globalThis as unknown as PageGlobals).__posted),
        rendered: async (n) => {
          await page.waitForFunction((k) => Number((globalThis as unknown as PageGlobals).document.body.dataset['renders'] ?? 0) >= k, n, { timeout: 60_000 });
        },
        renders: () => page.evaluate(() => Number((globalThis as unknown as PageGlobals).document.body.dataset['renders'] ?? 0)),
        state: () => page.evaluate(() => (globalThis as unknown as PageGlobals).__state),
      };
    },
    async close() {
      await browser.close();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
