/**
 * The user menu in the top bar: who is logged in (tenant and grants), change password, log out.
 * @module
 */
import { useEffect, useRef, useState } from 'preact/hooks';
import type { ApiGrant, Me } from '../../../src/protocol/auth-types.js';
import { ApiCallError } from '../api.js';
import { changePassword, logout, session } from '../auth/session.js';
import { t } from '../i18n/index.js';

/** One grant as text: `operator @ site/area/line`, or the role on the whole tenant. */
export function grantText(g: ApiGrant): string {
  const role = t(`role.${g.role}`);
  return g.scope === '' ? t('grant.tenant', { role }) : `${role} @ ${g.scope}`;
}

function PasswordForm({ onDone }: { onDone: () => void }) {
  const [current, setCurrent] = useState('');
  const [next, setNext] = useState('');
  const [again, setAgain] = useState('');
  const [error, setError] = useState('');
  const submit = async (ev: Event) => {
    ev.preventDefault();
    if (next !== again) return setError(t('password.mismatch'));
    if (next.length < 12) return setError(t('password.short'));
    try {
      await changePassword(current, next);
      onDone();
      // The server ended every session of the user, this one too: log in with the new password.
      session.set('anonymous');
    } catch (e) {
      setError(e instanceof ApiCallError && e.status === 401 ? t('password.wrongCurrent') : (e as Error).message);
    }
  };
  return (
    <form class="stack" onSubmit={submit} data-testid="password-form">
      <label><span>{t('password.current')}</span><input type="password" autocomplete="current-password" required value={current} onInput={(e) => setCurrent((e.currentTarget as HTMLInputElement).value)} /></label>
      <label><span>{t('password.new')}</span><input type="password" autocomplete="new-password" required minLength={12} value={next} onInput={(e) => setNext((e.currentTarget as HTMLInputElement).value)} /></label>
      <label><span>{t('password.again')}</span><input type="password" autocomplete="new-password" required value={again} onInput={(e) => setAgain((e.currentTarget as HTMLInputElement).value)} /></label>
      {error ? <p class="form-error" role="alert">{error}</p> : null}
      <div class="row"><button class="btn primary" type="submit">{t('password.change')}</button><button class="btn" type="button" onClick={onDone}>{t('common.cancel')}</button></div>
    </form>
  );
}

/** The menu. */
export function UserMenu({ me }: { me: Me }) {
  const [open, setOpen] = useState(false);
  const [pw, setPw] = useState(false);
  const root = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (!open) return;
    const close = (e: Event) => { if (!root.current?.contains(e.target as Node)) { setOpen(false); setPw(false); } };
    const esc = (e: KeyboardEvent) => { if (e.key === 'Escape') { setOpen(false); setPw(false); } };
    document.addEventListener('pointerdown', close);
    document.addEventListener('keydown', esc);
    return () => { document.removeEventListener('pointerdown', close); document.removeEventListener('keydown', esc); };
  }, [open]);
  return (
    <div class="user-menu" ref={root}>
      <button class="icon-btn user-btn" aria-haspopup="true" aria-expanded={open} data-testid="user-menu" onClick={() => setOpen(!open)}>
        <span class="avatar" aria-hidden="true">{me.name.slice(0, 1).toUpperCase()}</span>
        <span class="user-name">{me.name}</span>
      </button>
      {open ? (
        <div class="menu-pop" role="menu" data-testid="user-pop">
          <div class="who">
            <b data-testid="me-name">{me.name}</b>
            <span class="muted small">{t('user.tenant', { tenant: me.tenant })}</span>
            <ul class="grants" data-testid="me-grants">
              {me.grants.map((g) => <li>{grantText(g)}</li>)}
              {me.platformOperator ? <li>{t('user.platformOperator')}</li> : null}
            </ul>
          </div>
          {pw ? <PasswordForm onDone={() => setPw(false)} />
            : (
              <div class="menu-actions">
                {me.kind === 'user' ? <button class="btn" role="menuitem" data-testid="change-password" onClick={() => setPw(true)}>{t('password.change')}</button> : null}
                <button class="btn" role="menuitem" data-testid="logout" onClick={() => void logout()}>{t('user.logout')}</button>
              </div>
            )}
        </div>
      ) : null}
    </div>
  );
}
