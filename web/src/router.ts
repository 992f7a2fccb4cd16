/**
 * Hash routing: the whole view state lives in the URL (`#/trends?tag=…&range=1h`), so any screen
 * can be bookmarked or shared, and the server needs only one page.
 * @module
 */
import { Observable } from './observable.js';

/** The views of the dashboard. */
export type View = 'plant' | 'machine' | 'trends' | 'health' | 'login' | 'access' | 'audit' | 'connectors'
  | 'alarms' | 'alarm-history' | 'rules' | 'alarm-figures' | 'on-call';

const VIEWS: ReadonlySet<string> = new Set<View>(['plant', 'machine', 'trends', 'health', 'login', 'access', 'audit', 'connectors', 'alarms', 'alarm-history', 'rules', 'alarm-figures', 'on-call']);

/** A parsed location. */
export interface Route {
  view: View;
  /** Asset path for plant (subtree filter) and machine views. */
  path: string;
  params: URLSearchParams;
}

function parse(hash: string): Route {
  const raw = hash.replace(/^#\/?/, '');
  const q = raw.indexOf('?');
  const pathPart = q >= 0 ? raw.slice(0, q) : raw;
  const params = new URLSearchParams(q >= 0 ? raw.slice(q + 1) : '');
  const [head = '', ...rest] = pathPart.split('/');
  const view: View = VIEWS.has(head) ? (head as View) : 'plant';
  return { view, path: rest.map(decodeURIComponent).join('/'), params };
}

/** The current route. */
export const route = new Observable<Route>(parse(location.hash));
window.addEventListener('hashchange', () => route.set(parse(location.hash)));

/** The href of a view, e.g. href('machine', 'site/area/line-1/cnc-01'). */
export function href(view: View, path = '', params?: URLSearchParams): string {
  const p = path ? '/' + path.split('/').map(encodeURIComponent).join('/') : '';
  const qs = params && [...params.keys()].length > 0 ? `?${params.toString()}` : '';
  return `#/${view}${p}${qs}`;
}

/** The trend href of some tags over a named range. */
export function trendHref(tags: readonly string[], range = '1h'): string {
  const params = new URLSearchParams();
  for (const t of tags) params.append('tag', t);
  params.set('range', range);
  return href('trends', '', params);
}

/**
 * Change the URL. `replace` keeps the history clean for state that changes by the second (zoom,
 * pan), so Back still leaves the view rather than undoing each step.
 */
export function navigate(to: string, replace = false): void {
  if (replace) {
    history.replaceState(null, '', to);
    route.set(parse(to));
  } else {
    location.hash = to;
  }
}
