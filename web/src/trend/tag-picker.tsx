/**
 * Adds a tag to the trend: a text field that completes from the platform's numeric tags.
 * @module
 */
import { useEffect, useState } from 'preact/hooks';
import { fetchTags } from '../api.js';
import { t } from '../i18n/index.js';

/** The picker; `exclude` are the tags already shown. */
export function TagPicker({ exclude, onAdd }: { exclude: readonly string[]; onAdd: (tag: string) => void }) {
  const [all, setAll] = useState<string[]>([]);
  const [text, setText] = useState('');
  useEffect(() => {
    const ctl = new AbortController();
    fetchTags(ctl.signal).then((r) => setAll(r.tags.filter((x) => x.type === 'number').map((x) => x.path))).catch(() => undefined);
    return () => ctl.abort();
  }, []);
  const submit = (e: Event) => {
    e.preventDefault();
    const tag = text.trim();
    if (tag && !exclude.includes(tag)) onAdd(tag);
    setText('');
  };
  return (
    <form class="tag-picker" onSubmit={submit}>
      <input list="trend-tags" value={text} placeholder={t('trend.addTag')} aria-label={t('trend.addTag')} data-testid="tag-input"
        onInput={(e) => setText((e.currentTarget as HTMLInputElement).value)} />
      <datalist id="trend-tags">{all.filter((x) => !exclude.includes(x)).map((x) => <option value={x} />)}</datalist>
      <button class="btn" type="submit" disabled={!text.trim()}>{t('trend.add')}</button>
    </form>
  );
}
