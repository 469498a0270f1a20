/**
 * Which namespaces a process watches: WATCH_NAMESPACES is a comma-separated list of namespace names, empty (the
 * default) meaning every namespace. The controller and the shared cron adapter it deploys read it the same way,
 * so they agree on which sources are theirs. Pure, so the parsing rules are unit-tested apart from any process.
 */
import { ConfigError } from '../../lib/errors.js';

const VARIABLE = 'WATCH_NAMESPACES';
/** A namespace name is an RFC 1123 label (the apiserver refuses anything else). */
const NAMESPACE_NAME = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const MAX_NAME_LENGTH = 63;

/**
 * The namespaces in `raw`, sorted and without duplicates; an empty array means all namespaces. Blanks around
 * a name are tolerated; an empty entry (`a,,b`, a trailing comma) or an invalid name is a ConfigError, since
 * a typo here would silently leave a namespace unreconciled.
 */
export function parseWatchNamespaces(raw: string | undefined): string[] {
  if (raw === undefined || raw.trim() === '') return [];
  const names = raw.split(',').map((n) => n.trim());
  for (const name of names) {
    if (name === '') {
      throw new ConfigError(VARIABLE, `"${raw}" has an empty entry`, 'List namespace names separated by single commas, e.g. WATCH_NAMESPACES=team-a,team-b, or leave it empty to watch all namespaces');
    }
    if (name.length > MAX_NAME_LENGTH || !NAMESPACE_NAME.test(name)) {
      throw new ConfigError(
        VARIABLE,
        `"${name}" is not a namespace name`,
        'Use lower-case letters, digits and "-" (at most 63, starting and ending with a letter or digit), e.g. WATCH_NAMESPACES=team-a,team-b',
      );
    }
  }
  return [...new Set(names)].sort();
}
