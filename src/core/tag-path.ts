/**
 * Asset and tag paths: `site/area/line/machine/tag`, relative to a tenant.
 * Validation lives here so every connector rejects the same hostile names.
 * @module
 */
import { LightsoutError } from './errors.js';

/** Longest accepted path, in characters. */
export const MAX_PATH_LENGTH = 512;
/** Deepest accepted path, in levels. */
export const MAX_PATH_LEVELS = 16;

// Real metric names hold spaces, units and punctuation ("Temp (°C)"), so a level is refused only
// for what breaks MQTT or paths: MQTT wildcards, control characters, a leading $ (broker-reserved),
// or surrounding whitespace.
const BAD_CHAR = /[+#\u0000-\u001f\u007f]/u;

function levelProblem(level: string): string | undefined {
  if (level.length === 0) return 'an empty level';
  if (BAD_CHAR.test(level)) return `an illegal level "${level}" (MQTT wildcards and control characters are not allowed)`;
  if (level.startsWith('$')) return `an illegal level "${level}" (levels may not start with $)`;
  if (level.trim() !== level) return `a level with surrounding spaces "${level}"`;
  return undefined;
}

/** Split and validate a path; throws LIGHTSOUT_BAD_TAG_PATH naming the problem. */
export function parsePath(path: string, what = 'tag path'): string[] {
  if (typeof path !== 'string' || path.length === 0) {
    throw new LightsoutError('LIGHTSOUT_BAD_TAG_PATH', `${what} is empty`);
  }
  if (path.length > MAX_PATH_LENGTH) {
    throw new LightsoutError('LIGHTSOUT_BAD_TAG_PATH', `${what} is longer than ${MAX_PATH_LENGTH} characters`);
  }
  const levels = path.split('/');
  if (levels.length > MAX_PATH_LEVELS) {
    throw new LightsoutError('LIGHTSOUT_BAD_TAG_PATH', `${what} "${path}" has more than ${MAX_PATH_LEVELS} levels`);
  }
  for (const level of levels) {
    const problem = levelProblem(level);
    if (problem) throw new LightsoutError('LIGHTSOUT_BAD_TAG_PATH', `${what} "${path}" has ${problem}`);
  }
  return levels;
}

/** A tag path needs at least an asset and a tag name. */
export function parseTagPath(path: string): { assetPath: string; name: string; levels: string[] } {
  const levels = parsePath(path);
  if (levels.length < 2) {
    throw new LightsoutError('LIGHTSOUT_BAD_TAG_PATH', `tag path "${path}" needs an asset and a tag name (e.g. site/line/machine/temperature)`);
  }
  return { assetPath: levels.slice(0, -1).join('/'), name: levels[levels.length - 1]!, levels };
}

/** True when `path` is a valid tag path. */
export function isValidTagPath(path: string): boolean {
  try {
    parseTagPath(path);
    return true;
  } catch {
    return false;
  }
}
