/**
 * A service registry that gives the one language's services for any URI. Langium picks
 * services by file extension, so a file the user names `NET.NAS` or `net.txt` would fail with
 * "no services for the extension"; the CLI checks any file it is given, whatever its name.
 * The language server keeps Langium's registry: there the client names each document's
 * language, and a workspace scan must not take every file for a `.nas` file.
 */
import { DefaultServiceRegistry, type LangiumCoreServices, type URI } from 'langium';

export class SingleLanguageRegistry extends DefaultServiceRegistry {
  override getServices(uri: URI): LangiumCoreServices {
    const all = this.all;
    return all.length === 1 ? all[0]! : super.getServices(uri);
  }

  override hasServices(uri: URI): boolean {
    return this.all.length === 1 || super.hasServices(uri);
  }
}
