/** The search dashboard's page (src/extension/webview-page.ts): the run arrives by message. */
import { webviewPage, type WebviewPageAssets } from '../webview-page.js';

export type DashboardPageAssets = WebviewPageAssets;

export function dashboardPage(a: DashboardPageAssets): string {
  return webviewPage(a, { title: 'Search' });
}
