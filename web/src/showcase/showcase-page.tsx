/**
 * The public showcase page at `/showcase/<token>`: one line's machines with live values, for an
 * exhibition screen or a customer visit. It uses only the link's own view
 * (GET /api/v1/showcase/<token>/view) and the live hub with `?showcase=<token>`; it offers no
 * navigation, no login, and says plainly when the link has expired or was revoked.
 * @module
 */
import { useEffect, useMemo, useState } from 'preact/hooks';
import type { ApiAsset, ApiPoint } from '../../../src/protocol/api-types.js';
import type { ShowcaseView } from '../../../src/protocol/showcase-types.js';
import { ApiCallError, getJson } from '../api.js';
import { MachineCard, cardTags } from '../components/machine-card.js';
import { formatDateTime, LANGUAGES, lang, setLang, t, type Lang } from '../i18n/index.js';
import { LiveClient } from '../live/live-client.js';
import { useLiveValues } from '../live/use-live.js';
import { useObservable } from '../observable.js';
import { isProtocolFolder } from '../plant-model.js';
import { setTheme, theme } from '../theme.js';

type Problem = 'expired' | 'busy' | 'unreachable';

/** The machines of the view: its tags grouped by their parent asset, in path order. */
function machinesOf(view: ShowcaseView): ApiAsset[] {
  const byMachine = new Map<string, string[]>();
  for (const tag of view.tags) {
    const i = tag.path.lastIndexOf('/');
    if (i < 0) continue;
    const m = tag.path.slice(0, i);
    // Methods and Sparkplug folders are not machines of their own.
    if (isProtocolFolder({ name: m.slice(m.lastIndexOf('/') + 1) })) continue;
    byMachine.set(m, [...(byMachine.get(m) ?? []), tag.path.slice(i + 1)]);
  }
  // A machine is a leaf: a level that has tags and levels below it (an edge node) is not one.
  for (const m of [...byMachine.keys()]) if ([...byMachine.keys()].some((k) => k.startsWith(`${m}/`))) byMachine.delete(m);
  return [...byMachine].sort(([a], [b]) => a.localeCompare(b)).map(([path, tags]) => ({ name: path.slice(path.lastIndexOf('/') + 1), path, children: [], tags }));
}

function problemOf(e: unknown): Problem {
  if (e instanceof ApiCallError && (e.status === 404 || e.status === 410 || e.status === 401 || e.status === 403)) return 'expired';
  if (e instanceof ApiCallError && e.status === 429) return 'busy';
  return 'unreachable';
}

function Tools() {
  const current = useObservable(lang);
  const th = useObservable(theme);
  return (
    <span class="showcase-tools">
      <select class="lang" aria-label={t('lang.label')} value={current} onChange={(e) => setLang((e.currentTarget as HTMLSelectElement).value as Lang)}>
        {LANGUAGES.map((l) => <option value={l.id}>{l.name}</option>)}
      </select>
      <button class="icon-btn" aria-label={t('theme.toggle')} onClick={() => setTheme(th === 'dark' ? 'light' : 'dark')}>{th === 'dark' ? '☀' : '☾'}</button>
    </span>
  );
}

/** The page. */
export function ShowcasePage({ token }: { token: string }) {
  useObservable(lang);
  const [view, setView] = useState<ShowcaseView | undefined>();
  const [problem, setProblem] = useState<Problem | undefined>();
  const viewUrl = `/api/v1/showcase/${encodeURIComponent(token)}/view`;
  // Its own live client: the link's token is its only credential.
  const client = useMemo(() => new LiveClient(async (tags) => {
    try {
      const v = await getJson<ShowcaseView>(viewUrl);
      const wanted = new Set(tags);
      return v.values.filter((p) => wanted.has(p.tag)) as ApiPoint[];
    } catch (e) {
      if (problemOf(e) === 'expired') setProblem('expired');
      throw e;
    }
  }), [token]);
  const link = useObservable(client.state);

  useEffect(() => {
    let stop = false;
    getJson<ShowcaseView>(viewUrl).then((v) => {
      if (stop) return;
      setView(v);
      document.title = `${v.title} · ${t('app.title')}`;
      client.start(`${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/api/v1/live?showcase=${encodeURIComponent(token)}`);
    }, (e: unknown) => { if (!stop) setProblem(problemOf(e)); });
    return () => { stop = true; client.stop(); };
  }, [token]);
  // The link may run out while the page is open: check when it is due.
  useEffect(() => {
    if (!view) return;
    const id = setTimeout(() => { setProblem('expired'); client.stop(); }, Math.max(0, Math.min(view.expiresTs - Date.now(), 2 ** 31 - 1)));
    return () => clearTimeout(id);
  }, [view?.expiresTs]);

  const machines = useMemo(() => (view ? machinesOf(view) : []), [view]);
  const catalog = useMemo(() => new Map((view?.tags ?? []).map((x) => [x.path, x])), [view]);
  const values = useLiveValues(machines.flatMap(cardTags), undefined, client);
  // The view's own latest values until the live hub's snapshot arrives.
  const shown = new Map<string, ApiPoint>();
  for (const p of view?.values ?? []) shown.set(p.tag, p as ApiPoint);
  for (const [k, p] of values) shown.set(k, p);

  if (problem === 'expired' || problem === 'busy' || (problem === 'unreachable' && !view)) {
    return (
      <div class="showcase-page gone" data-testid="showcase-gone" data-problem={problem}>
        <div class="login-card">
          <div class="brand"><span class="brand-mark" aria-hidden="true" />{t('app.title')}</div>
          <h1>{t(`showcase.${problem}Title`)}</h1>
          <p class="muted">{t(`showcase.${problem}Text`)}</p>
        </div>
      </div>
    );
  }
  return (
    <div class="showcase-page" data-testid="showcase-page">
      <header class="topbar">
        <span class="brand"><span class="brand-mark" aria-hidden="true" />{t('app.title')}</span>
        <span class="spacer" />
        <span class={`link link-${link}`} data-testid="link-state">
          <span class="dot" aria-hidden="true" />
          <span class="link-text">{link === 'live' ? t('conn.live') : link === 'offline' ? t('conn.offline') : t('conn.connecting')}</span>
        </span>
        <Tools />
      </header>
      <main class="showcase-main">
        <div class="view-head">
          <h1 class="showcase-title" data-testid="showcase-title">{view?.title ?? ''}</h1>
          {view ? <span class="muted crumbs">{view.scope.split('/').join(' › ')} · {t('showcase.readOnly')}</span> : null}
        </div>
        <div class="cards">{machines.map((m) => <MachineCard key={m.path} machine={m} values={shown} catalog={catalog} link={false} />)}</div>
        {view ? <p class="muted small showcase-foot">{t('showcase.until', { ts: formatDateTime(view.expiresTs) })}</p> : null}
      </main>
    </div>
  );
}
