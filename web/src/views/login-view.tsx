/**
 * The login screen: shown whenever the API answers 401. A one-time login link
 * (`#/login?once=<token>`, printed by `lightsout start`) logs in without a form, then leaves the
 * token out of the address bar and the history.
 * @module
 */
import { useEffect, useState } from 'preact/hooks';
import { ApiCallError } from '../api.js';
import { LANGUAGES, lang, setLang, t, type Lang } from '../i18n/index.js';
import { useObservable } from '../observable.js';
import { navigate, route } from '../router.js';
import { login, loginWithLink } from '../auth/session.js';
import { setTheme, theme } from '../theme.js';

/** A login failure in words the user can act on. */
export function loginError(e: unknown): string {
  if (e instanceof ApiCallError) {
    if (e.status === 429) return t('login.tooMany', { n: e.retryAfterSeconds ?? 60 });
    if (e.status === 401) return t('login.wrong');
    if (e.status === 403) return t('login.forbidden', { message: e.message });
    return t('login.failed', { message: e.message });
  }
  return t('login.unreachable');
}

/** The screen. */
export function LoginView() {
  const r = useObservable(route);
  const current = useObservable(lang);
  const th = useObservable(theme);
  const once = r.view === 'login' ? r.params.get('once') : null;
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(once !== null);

  useEffect(() => {
    if (once === null) return;
    setBusy(true);
    loginWithLink(once)
      // Replace, not push: Back must not return to a spent token.
      .then(() => navigate('#/plant', true))
      .catch((e: unknown) => {
        setError(e instanceof ApiCallError && (e.status === 401 || e.status === 410) ? t('login.linkUsed') : loginError(e));
        navigate('#/login', true);
      })
      .finally(() => setBusy(false));
  }, [once]);

  const submit = async (ev: Event) => {
    ev.preventDefault();
    setBusy(true);
    setError('');
    try {
      await login(username.trim(), password);
      setPassword('');
      if (route.get().view === 'login') navigate('#/plant', true);
    } catch (e) {
      setError(loginError(e));
    } finally {
      setBusy(false);
    }
  };

  return (
    <div class="login-page" data-testid="login-view">
      <div class="login-tools">
        <select class="lang" aria-label={t('lang.label')} value={current} onChange={(e) => setLang((e.currentTarget as HTMLSelectElement).value as Lang)}>
          {LANGUAGES.map((l) => <option value={l.id}>{l.name}</option>)}
        </select>
        <button class="icon-btn" aria-label={t('theme.toggle')} onClick={() => setTheme(th === 'dark' ? 'light' : 'dark')}>{th === 'dark' ? '☀' : '☾'}</button>
      </div>
      <form class="login-card" onSubmit={submit}>
        <div class="brand"><span class="brand-mark" aria-hidden="true" />{t('app.title')}</div>
        <h1>{once !== null && busy ? t('login.linkChecking') : t('login.title')}</h1>
        <label>
          <span>{t('login.username')}</span>
          <input name="username" autocomplete="username" autoFocus required value={username} data-testid="login-username"
            onInput={(e) => setUsername((e.currentTarget as HTMLInputElement).value)} />
        </label>
        <label>
          <span>{t('login.password')}</span>
          <input name="password" type="password" autocomplete="current-password" required value={password} data-testid="login-password"
            onInput={(e) => setPassword((e.currentTarget as HTMLInputElement).value)} />
        </label>
        {error ? <p class="form-error" role="alert" data-testid="login-error">{error}</p> : null}
        <button class="btn primary" type="submit" disabled={busy} data-testid="login-submit">{t('login.submit')}</button>
        <p class="muted small">{t('login.hint')}</p>
      </form>
    </div>
  );
}
