/**
 * The audit trail (`#/audit`, admins): search by time range, actor, action, target and outcome,
 * newest first and paged by position; the same filters as a CSV download; and a check of the
 * whole hash chain that names the first bad record. The filters live in the URL, so a search can
 * be bookmarked or sent to a colleague (times as epoch ms: the same instant in any time zone).
 * @module
 */
import { useEffect, useState } from 'preact/hooks';
import type { ApiAuditRecord, AuditResponse, AuditVerifyResponse } from '../../../src/protocol/audit-types.js';
import { ApiCallError, getJson } from '../api.js';
import { formatDateTime, formatNumber, t } from '../i18n/index.js';
import { useObservable } from '../observable.js';
import { href, navigate, route } from '../router.js';
import { useLoad } from '../use-load.js';

type Verify = Omit<AuditVerifyResponse, 'firstBad'> & { firstBad?: { seq: number; problem: string; message: string } };

/** Records a page, unless the URL says `limit=` (1–1000). */
const PAGE = 50;

interface Filters { from: string; to: string; actor: string; action: string; target: string; outcome: string }
const EMPTY: Filters = { from: '', to: '', actor: '', action: '', target: '', outcome: '' };

/** The query string of a search (shared by the list and the CSV link). */
function query(f: Filters, extra: Record<string, string> = {}): string {
  const q = new URLSearchParams();
  // datetime-local is the viewer's local time; the API takes epoch ms.
  if (f.from) q.set('from', String(new Date(f.from).getTime()));
  if (f.to) q.set('to', String(new Date(f.to).getTime()));
  for (const k of ['actor', 'action', 'target', 'outcome'] as const) if (f[k].trim()) q.set(k, f[k].trim());
  for (const [k, v] of Object.entries(extra)) q.set(k, v);
  return q.toString();
}

/** epoch ms → the value of a datetime-local input (the viewer's local time). */
function localInput(ms: string | null): string {
  const n = Number(ms);
  if (!ms || !Number.isFinite(n)) return '';
  return new Date(n - new Date(n).getTimezoneOffset() * 60_000).toISOString().slice(0, 16);
}

/** The filters a URL holds. */
function filtersOf(p: URLSearchParams): Filters {
  return {
    from: localInput(p.get('from')), to: localInput(p.get('to')),
    actor: p.get('actor') ?? '', action: p.get('action') ?? '', target: p.get('target') ?? '', outcome: p.get('outcome') ?? '',
  };
}

function detailText(d: ApiAuditRecord['detail']): string {
  if (d === undefined) return '';
  return Object.entries(d).map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`).join(' ');
}

/** The view. */
export function AuditView() {
  const r = useObservable(route);
  const applied = filtersOf(r.params);
  const limit = Math.min(1000, Math.max(1, Math.trunc(Number(r.params.get('limit'))) || PAGE));
  const key = `${query(applied)}|${limit}`;
  const [draft, setDraft] = useState<Filters>(applied);
  // The `before` of each older page opened, so Newer goes back without keeping old rows.
  const [pages, setPages] = useState<number[]>([]);
  useEffect(() => { setDraft(applied); setPages([]); }, [key]);
  const before = pages.at(-1);
  const rows = useLoad((signal) => getJson<AuditResponse>(`/api/v1/audit?${query(applied, { limit: String(limit), ...(before !== undefined ? { before: String(before) } : {}) })}`, signal), [key, before]);
  const [verify, setVerify] = useState<Verify | 'checking' | { error: string } | undefined>();
  const set = (k: keyof Filters) => (e: Event) => setDraft({ ...draft, [k]: (e.currentTarget as HTMLInputElement).value });
  const search = (ev: Event) => {
    ev.preventDefault();
    navigate(href('audit', '', new URLSearchParams(query(draft, limit === PAGE ? {} : { limit: String(limit) }))));
  };
  const check = async () => {
    setVerify('checking');
    try {
      setVerify(await getJson<Verify>('/api/v1/audit/verify'));
    } catch (e) {
      // A broken chain may come back as an error with the first bad record in its details.
      const d = e instanceof ApiCallError ? e.details : undefined;
      if (d && typeof d.seq === 'number') setVerify({ ok: false, records: Number(d.records ?? 0), firstBad: { seq: d.seq, problem: String(d.problem ?? ''), message: (e as Error).message } });
      else setVerify({ error: (e as Error).message });
    }
  };
  const list = rows.data?.records ?? [];
  const next = rows.data?.next;
  return (
    <section class="view audit-view" data-testid="audit-view">
      <div class="view-head">
        <h1>{t('audit.title')}</h1>
        <span class="spacer" />
        <button class="btn" data-testid="audit-verify" onClick={() => void check()}>{t('audit.verify')}</button>
        <a class="btn" data-testid="audit-csv" href={`/api/v1/audit.csv?${query(applied)}`} download="audit.csv">{t('audit.csv')}</a>
      </div>
      {verify === undefined ? null
        : verify === 'checking' ? <p class="banner info" role="status">{t('audit.verifying')}</p>
        : 'error' in verify ? <p class="banner" role="alert" data-testid="audit-verify-result">{verify.error}</p>
        : verify.ok ? <p class="banner ok" role="status" data-testid="audit-verify-result">{t('audit.verifyOk', { n: formatNumber(verify.records, 0) })}</p>
        : <p class="banner" role="alert" data-testid="audit-verify-result">{t('audit.verifyBad', { seq: verify.firstBad?.seq ?? '?', problem: verify.firstBad?.problem ?? '', message: verify.firstBad?.message ?? '' })}</p>}
      <form class="panel filters" onSubmit={search} data-testid="audit-filters">
        <label><span>{t('audit.from')}</span><input type="datetime-local" value={draft.from} onInput={set('from')} /></label>
        <label><span>{t('audit.to')}</span><input type="datetime-local" value={draft.to} onInput={set('to')} /></label>
        <label><span>{t('audit.actor')}</span><input value={draft.actor} data-testid="audit-actor" onInput={set('actor')} /></label>
        <label><span>{t('audit.action')}</span><input value={draft.action} placeholder="auth. · command. · user." data-testid="audit-action" onInput={set('action')} /></label>
        <label><span>{t('audit.target')}</span><input value={draft.target} data-testid="audit-target" onInput={set('target')} /></label>
        <label><span>{t('audit.outcome')}</span>
          <select value={draft.outcome} onChange={set('outcome')} data-testid="audit-outcome">
            <option value="">{t('audit.any')}</option>
            <option value="ok">{t('audit.outcome.ok')}</option>
            <option value="denied">{t('audit.outcome.denied')}</option>
            <option value="failed">{t('audit.outcome.failed')}</option>
          </select>
        </label>
        <div class="filter-actions">
          <button class="btn primary" type="submit" data-testid="audit-search">{t('audit.search')}</button>
          <button class="btn" type="button" onClick={() => { setDraft(EMPTY); navigate(href('audit')); }}>{t('audit.clear')}</button>
        </div>
      </form>
      {rows.error ? <p class="banner" role="alert">{rows.error}</p> : null}
      <div class="table-wrap">
        <table class="audit-table" data-testid="audit-table">
          <thead><tr><th class="r">#</th><th>{t('audit.time')}</th><th>{t('audit.actor')}</th><th>{t('audit.action')}</th><th>{t('audit.target')}</th><th>{t('audit.outcome')}</th><th>{t('audit.detail')}</th></tr></thead>
          <tbody>
            {list.map((a) => (
              <tr key={a.seq} data-action={a.action} data-outcome={a.outcome}>
                <td class="r muted mono">{a.seq}</td>
                <td class="nowrap small">{formatDateTime(a.ts)}</td>
                <td>{a.actor}</td>
                <td class="mono small">{a.action}</td>
                <td class="mono small wrap">{a.target}</td>
                <td><span class={`pill out-${a.outcome}`}>{t(`audit.outcome.${a.outcome}`)}</span></td>
                <td class="mono small wrap detail">{detailText(a.detail)}</td>
              </tr>
            ))}
            {rows.data && list.length === 0 ? <tr><td colSpan={7} class="muted">{t('audit.none')}</td></tr> : null}
          </tbody>
        </table>
      </div>
      <div class="pager">
        <button class="btn" disabled={pages.length === 0} onClick={() => setPages(pages.slice(0, -1))}>{t('audit.newer')}</button>
        <button class="btn" data-testid="audit-older" disabled={next === undefined} onClick={() => next !== undefined && setPages([...pages, next])}>{t('audit.older')}</button>
      </div>
    </section>
  );
}
