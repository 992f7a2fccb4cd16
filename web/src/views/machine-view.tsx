/**
 * Machine view: every tag of one machine with its live value, unit, quality, age and a 15-minute
 * sparkline (60 server-side buckets, then the live tail appended as values arrive). Units,
 * descriptions and engineering ranges come from the tag catalog (one request for the machine).
 * Operators of the machine also get the command panel (its methods and writable tags).
 * @module
 */
import type { ApiAsset, ApiPoint } from '../../../src/protocol/api-types.js';
import type { Me } from '../../../src/protocol/auth-types.js';
import { useEffect, useRef, useState } from 'preact/hooks';
import { fetchBuckets } from '../api.js';
import { CommandPanel } from '../commands/command-panel.js';
import { RangeBar } from '../components/range-bar.js';
import { Sparkline } from '../components/sparkline.js';
import { ValueText } from '../components/value-text.js';
import { formatAge, formatDateTime, t } from '../i18n/index.js';
import { useLiveValues, useNow } from '../live/use-live.js';
import { findAsset, isStale, stateClass, tagLabel, unitFor } from '../plant-model.js';
import { trendHref } from '../router.js';
import { useTagCatalog } from '../tag-catalog.js';

const WINDOW_MS = 15 * 60_000;

interface Series { xs: number[]; ys: Array<number | null> }

/** History of the last 15 minutes of each tag, extended by live points. */
function useSparklines(paths: string[]): [ReadonlyMap<string, Series>, (p: ApiPoint) => void] {
  const store = useRef(new Map<string, Series>());
  const [, bump] = useState(0);
  useEffect(() => {
    const ctl = new AbortController();
    store.current = new Map();
    const to = Date.now();
    void Promise.all(paths.map(async (tag) => {
      const buckets = await fetchBuckets(tag, to - WINDOW_MS, to, 60, ctl.signal).catch(() => []);
      const s: Series = { xs: [], ys: [] };
      for (const b of buckets) { s.xs.push(b.ts); s.ys.push(b.avg); }
      // Live points may have arrived while the history loaded: keep them after the buckets.
      const early = store.current.get(tag);
      if (early) for (let i = 0; i < early.xs.length; i++) { s.xs.push(early.xs[i]!); s.ys.push(early.ys[i]!); }
      store.current.set(tag, s);
    })).then(() => !ctl.signal.aborted && bump((n) => n + 1));
    return () => ctl.abort();
  }, [paths.join('\n')]);
  const onPoint = (p: ApiPoint) => {
    if (typeof p.value !== 'number') return;
    let s = store.current.get(p.tag);
    if (!s) store.current.set(p.tag, (s = { xs: [], ys: [] }));
    s.xs.push(p.ts);
    s.ys.push(p.quality === 'bad' ? null : p.value);
    // Drop what scrolled out of the window so a screen left open all shift stays small.
    const cut = Date.now() - WINDOW_MS;
    let drop = 0;
    while (drop < s.xs.length && s.xs[drop]! < cut) drop++;
    if (drop > 0) { s.xs.splice(0, drop); s.ys.splice(0, drop); }
  };
  return [store.current, onPoint];
}

/** The view. */
export function MachineView({ assets, path, me }: { assets: readonly ApiAsset[]; path: string; me: Me }) {
  const machine = findAsset(assets, path);
  const paths = (machine?.tags ?? []).map((n) => `${path}/${n}`);
  const [sparks, onPoint] = useSparklines(paths);
  const values = useLiveValues(paths, onPoint);
  const catalog = useTagCatalog([`${path}/`]);
  const now = useNow(1000);
  if (!machine) return <section class="view"><p class="muted">{t('machine.notFound', { path })}</p></section>;
  const state = values.get(`${path}/state`);
  const cls = stateClass(state);
  const numeric = paths.filter((p) => typeof values.get(p)?.value === 'number' && !p.endsWith('/state_code'));
  return (
    <section class="view machine-view" data-testid="machine-view">
      <div class="view-head">
        <h1>{machine.name}</h1>
        <span class="muted crumbs">{path.split('/').slice(0, -1).join(' › ')}</span>
        <span class={`state-chip state-${isStale(state) ? 'unknown' : cls}`}>{t(`state.${cls}`)}</span>
        {isStale(state) ? <span class="badge badge-stale">{t('badge.stale')}</span> : null}
        <span class="spacer" />
        {numeric.length > 0 ? <a class="btn" href={trendHref(numeric.slice(0, 4), '1h')}>{t('machine.trendAll')}</a> : null}
      </div>
      {/* Keyed by machine: a command under way belongs to the machine it was asked of. */}
      <CommandPanel key={path} machine={machine} me={me} catalog={catalog} values={values} />
      <div class="table-wrap">
        <table class="tags-table">
          <thead>
            <tr>
              <th>{t('machine.tag')}</th><th class="r">{t('machine.value')}</th><th>{t('machine.unit')}</th>
              <th>{t('machine.quality')}</th><th class="r">{t('machine.age')}</th><th class="spark-col">{t('machine.last15')}</th><th />
            </tr>
          </thead>
          <tbody>
            {machine.tags.map((name) => {
              const tag = `${path}/${name}`;
              const p = values.get(tag);
              const s = sparks.get(tag);
              const meta = catalog.get(tag);
              const unit = unitFor(tag, catalog);
              return (
                <tr key={tag} class={p?.quality === 'bad' ? 'row-bad' : ''} data-tag={tag}>
                  <td class="tag-name" title={meta?.description}>
                    {tagLabel(name)}
                    {meta?.description ? <span class="tag-desc muted">{meta.description}</span> : null}
                  </td>
                  <td class="r">
                    <ValueText point={p} />
                    {typeof p?.value === 'number' && meta?.min !== undefined && meta.max !== undefined ? <RangeBar value={p.value} min={meta.min} max={meta.max} unit={unit} /> : null}
                  </td>
                  <td class="muted unit-cell">{unit}</td>
                  <td><span class={`quality q-${p?.quality ?? 'none'}`}>{p ? t(`quality.${p.quality}`) : '—'}</span></td>
                  <td class="r muted" title={p ? formatDateTime(p.ts) : ''}>{p ? formatAge(p.ts, now) : '—'}</td>
                  <td class="spark-col">{s ? <Sparkline xs={s.xs} ys={s.ys} from={now - WINDOW_MS} to={now} bad={p?.quality === 'bad'} /> : null}</td>
                  <td>{typeof p?.value === 'number' ? <a class="link-btn" href={trendHref([tag], '1h')}>{t('machine.trend')}</a> : null}</td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </div>
    </section>
  );
}
