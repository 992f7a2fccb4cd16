/**
 * Which tag paths a live subscription wants: exact tag paths plus asset-subtree patterns in MQTT
 * style (`site/area/#` = everything below, `+` = exactly one level). Patterns are compiled once so
 * that matching a path is a `startsWith` or a short level walk; the hub calls this only the first
 * time it sees a tag after a subscription changed, never per point.
 * @module
 */
import { LightsoutError } from '../core/errors.js';
import { MAX_PATH_LEVELS, parsePath, parseTagPath } from '../core/tag-path.js';

/** A compiled pattern: tells whether a tag path matches. */
export type PathPredicate = (path: string) => boolean;

/**
 * Compile a pattern. `#` may only be the last level and matches one or more levels below;
 * `+` matches exactly one level; any other level must be a valid path level.
 * Throws LIGHTSOUT_BAD_TAG_PATH naming the problem.
 * @example compilePattern('shanghai-lingang/+/line-1/#')('shanghai-lingang/machining/line-1/cnc-01/temperature') // true
 */
export function compilePattern(pattern: string): PathPredicate {
  if (typeof pattern !== 'string' || pattern.length === 0) throw new LightsoutError('LIGHTSOUT_BAD_TAG_PATH', 'pattern is empty');
  const levels = pattern.split('/');
  if (levels.length > MAX_PATH_LEVELS + 1) throw new LightsoutError('LIGHTSOUT_BAD_TAG_PATH', `pattern "${pattern}" has more than ${MAX_PATH_LEVELS} levels`);
  levels.forEach((level, i) => {
    if (level === '#' && i !== levels.length - 1) throw new LightsoutError('LIGHTSOUT_BAD_TAG_PATH', `pattern "${pattern}": # is allowed only as the last level`);
    if (level !== '#' && level !== '+' && /[+#]/.test(level)) throw new LightsoutError('LIGHTSOUT_BAD_TAG_PATH', `pattern "${pattern}": + and # must be whole levels`);
  });
  const hasPlus = levels.includes('+');
  const multi = levels[levels.length - 1] === '#';
  // Validate the literal levels with the same rules as tag paths (wildcards stood in for).
  const literal = levels.map((l) => (l === '+' || l === '#' ? 'x' : l)).join('/');
  parsePath(literal, 'pattern');
  if (!hasPlus && !multi) {
    parseTagPath(pattern);
    return (path) => path === pattern;
  }
  if (!hasPlus) {
    if (levels.length === 1) return () => true;
    const prefix = pattern.slice(0, -1); // keeps the trailing '/'
    return (path) => path.startsWith(prefix);
  }
  const fixed = multi ? levels.length - 1 : levels.length;
  return (path) => {
    const parts = path.split('/');
    if (multi ? parts.length <= fixed : parts.length !== fixed) return false;
    for (let i = 0; i < fixed; i++) if (levels[i] !== '+' && levels[i] !== parts[i]) return false;
    return true;
  };
}

/** What a client asked for, validated and compiled. */
export class Subscription {
  /** A canonical form: two subscriptions asking for the same thing have the same key. */
  readonly key: string;
  private readonly exact: ReadonlySet<string>;
  private readonly predicates: readonly PathPredicate[];
  private readonly scopes: readonly string[] | undefined;

  /**
   * Validate and compile. Throws LIGHTSOUT_BAD_TAG_PATH for a bad tag or pattern and
   * LIGHTSOUT_LIMIT_EXCEEDED beyond `maxEntries` tags plus patterns.
   * @param scopes asset subtrees the client may see (its grants, or a showcase link's line);
   *   paths outside all of them never match. Omitted: the whole tenant.
   */
  constructor(tags: readonly string[], patterns: readonly string[], maxEntries: number, scopes?: readonly string[]) {
    if (tags.length + patterns.length > maxEntries) {
      throw new LightsoutError('LIGHTSOUT_LIMIT_EXCEEDED', `a subscription may name at most ${maxEntries} tags and patterns; got ${tags.length + patterns.length}`);
    }
    for (const t of tags) parseTagPath(t);
    this.exact = new Set(tags);
    const unique = [...new Set(patterns)].sort();
    this.predicates = unique.map(compilePattern);
    this.scopes = scopes === undefined || scopes.includes('') ? undefined : [...new Set(scopes)].sort();
    this.key = JSON.stringify([[...this.exact].sort(), unique, this.scopes ?? []]);
  }

  /** Exact tag paths asked for. */
  get tags(): ReadonlySet<string> {
    return this.exact;
  }

  /** Whether the path is wanted. */
  matches(path: string): boolean {
    if (this.scopes !== undefined && !this.scopes.some((s) => path === s || path.startsWith(`${s}/`))) return false;
    if (this.exact.has(path)) return true;
    for (const p of this.predicates) if (p(path)) return true;
    return false;
  }

  /** Whether any pattern is present (then the whole tag list must be scanned for a snapshot). */
  get hasPatterns(): boolean {
    return this.predicates.length > 0;
  }
}
