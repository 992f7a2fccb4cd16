/**
 * Languages: message lookup and locale-aware number, date and duration formatting (Intl). The
 * chosen language is remembered in localStorage; the first visit follows the browser.
 * @module
 */
import { Observable } from '../observable.js';
import { en, type Catalog, type MessageKey } from './en.js';
import { fr } from './fr.js';
import { zh } from './zh.js';

/** The languages offered. */
export type Lang = 'en' | 'fr' | 'zh';

/** Languages with their own names (a user who cannot read the current one can still find theirs). */
export const LANGUAGES: ReadonlyArray<{ id: Lang; name: string; locale: string }> = [
  { id: 'en', name: 'English', locale: 'en-GB' },
  { id: 'fr', name: 'Français', locale: 'fr-FR' },
  { id: 'zh', name: '中文', locale: 'zh-CN' },
];

const CATALOGS: Record<Lang, Catalog> = { en, fr, zh };
const KEY = 'lightsout.lang';

function initialLang(): Lang {
  try {
    const saved = localStorage.getItem(KEY);
    if (saved === 'en' || saved === 'fr' || saved === 'zh') return saved;
  } catch { /* storage blocked: fall through */ }
  const nav = (navigator.language || 'en').slice(0, 2);
  return nav === 'fr' || nav === 'zh' ? nav : 'en';
}

/** The current language; components re-render through useObservable(lang). */
export const lang = new Observable<Lang>(initialLang());

/** Switch language and remember it. */
export function setLang(l: Lang): void {
  try { localStorage.setItem(KEY, l); } catch { /* not remembered, still switched */ }
  document.documentElement.lang = locale();
  lang.set(l);
}

/** BCP 47 locale of the current language, for Intl. */
export function locale(): string {
  return LANGUAGES.find((l) => l.id === lang.get())!.locale;
}

/** The message for `key` in the current language, with `{name}` placeholders filled. */
export function t(key: MessageKey, vars?: Record<string, string | number>): string {
  const msg = CATALOGS[lang.get()][key] ?? en[key];
  return vars ? msg.replace(/\{(\w+)\}/g, (m, k: string) => (k in vars ? String(vars[k]) : m)) : msg;
}

const numberFormats = new Map<string, Intl.NumberFormat>();

/**
 * A number for display: fewer decimals as values grow (0.123, 12.34, 1,234.5, 12,345), about what
 * a reading carries, in the current locale (1 234,5 in French, 1,234.5 in English).
 */
export function formatNumber(v: number, maxFractionDigits?: number): string {
  if (!Number.isFinite(v)) return String(v);
  const digits = maxFractionDigits ?? (Math.abs(v) >= 10_000 ? 0 : Math.abs(v) >= 100 ? 1 : Math.abs(v) >= 1 ? 2 : 3);
  const k = `${locale()}|${digits}`;
  let f = numberFormats.get(k);
  if (!f) numberFormats.set(k, (f = new Intl.NumberFormat(locale(), { maximumFractionDigits: digits })));
  return f.format(v);
}

/** Bytes as kB/MB/GB with locale digits. */
export function formatBytes(n: number): string {
  const units = ['B', 'kB', 'MB', 'GB', 'TB'];
  let i = 0;
  while (n >= 1024 && i < units.length - 1) { n /= 1024; i++; }
  return `${formatNumber(n, i === 0 ? 0 : 1)} ${units[i]}`;
}

/** Date and time in the current locale, optionally in another time zone ('—' for no valid time). */
export function formatDateTime(ts: number, opts: Intl.DateTimeFormatOptions = {}): string {
  // Dates only go to ±8.64e15 ms; "never expires" is stored as the largest safe integer.
  if (!Number.isFinite(ts) || Math.abs(ts) > 8.64e15) return '—';
  return new Intl.DateTimeFormat(locale(), { dateStyle: 'short', timeStyle: 'medium', ...opts }).format(ts);
}

/** Clock time (hh:mm) in a time zone, in the current locale. */
export function formatClock(ts: number, timeZone?: string): string {
  return new Intl.DateTimeFormat(locale(), { hour: '2-digit', minute: '2-digit', timeZone }).format(ts);
}

/** A short age ("12 s", "3 min") of a timestamp relative to `now`. */
export function formatAge(ts: number, now: number): string {
  const s = Math.max(0, Math.round((now - ts) / 1000));
  if (s < 1) return t('age.now');
  if (s < 120) return t('age.s', { n: s });
  if (s < 7200) return t('age.min', { n: Math.round(s / 60) });
  if (s < 172_800) return t('age.h', { n: Math.round(s / 3600) });
  return t('age.d', { n: Math.round(s / 86_400) });
}

/** A duration in ms as the largest fitting unit ("2 min", "3 h"). */
export function formatDuration(ms: number): string {
  return ms < 1000 ? `${formatNumber(ms, 0)} ms` : formatAge(0, ms);
}
