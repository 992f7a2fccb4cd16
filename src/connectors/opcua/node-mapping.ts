/**
 * Node → tag path mapping: browse names become path levels below a rule's tag prefix.
 * @module
 */

/**
 * A browse name as one tag path level: `/`, `+`, `#` and whitespace become `_` (they would split
 * the path or act as MQTT wildcards in the UNS topic); other characters, including case, are kept.
 */
export function pathSafe(name: string): string {
  const s = name.replace(/[/+#\s]/g, '_');
  return s === '' ? '_' : s;
}

/** The tag of a variable found by a browse rule: the prefix, then the browse names below the rule's root. */
export function ruleTag(tagPrefix: string, names: readonly string[]): string {
  const prefix = tagPrefix.replace(/\/+$/, '');
  return [prefix, ...names.map(pathSafe)].join('/');
}
