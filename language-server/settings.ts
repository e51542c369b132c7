/**
 * `nas.*` settings, read with workspace/configuration. Langium's provider only takes settings
 * pushed in didChangeConfiguration; VS Code's client sends `settings: null` there unless told
 * to synchronize a section, so on any change notification we pull the section again.
 */
import { DefaultConfigurationProvider, type LangiumSharedCoreServices } from 'langium';
import type { Connection, DidChangeConfigurationParams } from 'vscode-languageserver';
import type { CostUnit } from './figures.js';

export const SETTINGS_SECTION = 'nas';

export interface InlayHintSettings {
  enabled: boolean;
  cost: CostUnit;
}

export class NasConfigurationProvider extends DefaultConfigurationProvider {
  private connection: Connection | undefined;

  constructor(services: LangiumSharedCoreServices, connection: Connection | undefined) {
    super(services);
    this.connection = connection;
  }

  override updateConfiguration(change: DidChangeConfigurationParams): void {
    const settings = change.settings as Record<string, unknown> | null | undefined;
    if (settings && typeof settings === 'object' && SETTINGS_SECTION in settings) {
      super.updateConfiguration(change);
      return;
    }
    if (!this.connection || !this.workspaceConfig) return;
    this.connection.workspace.getConfiguration({ section: SETTINGS_SECTION }).then(
      (configuration: unknown) => {
        const value = (configuration && typeof configuration === 'object' ? configuration : {}) as Record<string, unknown>;
        this.updateSectionConfiguration(SETTINGS_SECTION, value);
        this.onConfigurationSectionUpdateEmitter.fire({ section: SETTINGS_SECTION, configuration: value });
      },
      () => undefined, // a client that cannot answer keeps the previous settings
    );
  }

  async inlayHintSettings(): Promise<InlayHintSettings> {
    const raw = (await this.getConfiguration(SETTINGS_SECTION, 'inlayHints')) as { enabled?: unknown; cost?: unknown } | undefined;
    return {
      enabled: raw?.enabled !== false,
      cost: raw?.cost === 'flops' ? 'flops' : 'macs',
    };
  }
}
