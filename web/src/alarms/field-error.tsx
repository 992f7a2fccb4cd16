/**
 * A validation message under a form field; for an expression, the text with a caret at the
 * position the server named (0-based), so the engineer sees where it went wrong.
 * @module
 */
import type { FieldError } from './rule-draft.js';

/** The message, or nothing without an error. */
export function FieldMessage({ err, text }: { err: FieldError | undefined; text?: string }) {
  if (!err) return null;
  const pos = err.position;
  let excerpt: { line: string; col: number } | undefined;
  if (text !== undefined && pos !== undefined && pos >= 0 && pos <= text.length) {
    const start = text.lastIndexOf('\n', pos - 1) + 1;
    const end = text.indexOf('\n', pos);
    excerpt = { line: text.slice(start, end < 0 ? undefined : end), col: pos - start };
  }
  return (
    <div class="field-error" role="alert" data-testid="field-error" data-field={err.field} data-position={pos}>
      {excerpt ? <pre class="caret mono">{excerpt.line}{'\n'}{' '.repeat(excerpt.col)}^</pre> : null}
      <span>{err.message}</span>
    </div>
  );
}
