/**
 * Dark and light themes. Dark is the default: control rooms run dark. The choice is remembered
 * in localStorage; index.html applies it before the first paint.
 * @module
 */
import { Observable } from './observable.js';

/** A colour theme. */
export type Theme = 'dark' | 'light';

const KEY = 'lightsout.theme';

/** The current theme. */
export const theme = new Observable<Theme>(document.documentElement.dataset.theme === 'light' ? 'light' : 'dark');

/** Switch theme and remember it. */
export function setTheme(th: Theme): void {
  document.documentElement.dataset.theme = th;
  try { localStorage.setItem(KEY, th); } catch { /* not remembered, still switched */ }
  theme.set(th);
}

/** A CSS custom property's current value (charts draw on canvas and need real colours). */
export function cssVar(name: string): string {
  return getComputedStyle(document.documentElement).getPropertyValue(name).trim();
}
