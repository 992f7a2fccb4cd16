/**
 * Adds a tag to the trend: a text field that completes from the platform's numeric tags.
 * @module
 */
import { useEffect, useState } from 'preact/hooks';
import { t } from '../i18n/index.js';
import { loadTagCatalog } from '../tag-catalog.js';

/** At most 200 tags containing every word typed: a plant of 100k tags must not build 100k options. */
function suggestions(all: readonly string[], text: string, exclude: readonly string[]): string[] {
  const words = text.toLowerCase().split(/\s+/).filter(Boolean);
  const out: string[] = [];
  for (const tag of all) {
    if (out.length >= 200) break;
    const lower = tag.toLowerCase();
    if (!exclude.includes(tag) && words.every((w) => lower.includes(w))) out.push(tag);
  }
  return out;
}

/** The picker; `exclude` are the tags already shown. */
export function TagPicker({ exclude, onAdd }: { exclude: readonly string[]; onAdd: (tag: string) => void }) {
  const [all, setAll] = useState<string[]>([]);
  const [text, setText] = useState('');
  const [wanted, setWanted] = useState(false);
  // The tag list is fetched on first focus, not on open: opening a shared trend should spend the
  // server's time on the chart's history, not on a list nobody has asked for yet.
  useEffect(() => {
    if (!wanted) return;
    let stop = false;
    // Through the catalog cache: the plant overview may have just listed every tag.
    loadTagCatalog('').then((c) => !stop && setAll([...c.values()].filter((x) => x.type === 'number').map((x) => x.path))).catch(() => undefined);
    return () => { stop = true; };
  }, [wanted]);
  const submit = (e: Event) => {
    e.preventDefault();
    const tag = text.trim();
    if (tag && !exclude.includes(tag)) onAdd(tag);
    setText('');
  };
  return (
    <form class="tag-picker" onSubmit={submit}>
      <input list="trend-tags" value={text} placeholder={t('trend.addTag')} aria-label={t('trend.addTag')} data-testid="tag-input"
        onFocus={() => setWanted(true)} onInput={(e) => setText((e.currentTarget as HTMLInputElement).value)} />
      <datalist id="trend-tags">{suggestions(all, text, exclude).map((x) => <option value={x} />)}</datalist>
      <button class="btn" type="submit" disabled={!text.trim()}>{t('trend.add')}</button>
    </form>
  );
}
