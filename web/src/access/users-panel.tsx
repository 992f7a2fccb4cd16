/**
 * Users of the tenant: list, create with grants (a generated password shown once), disable and
 * enable, reset the password, delete.
 * @module
 */
import { useState } from 'preact/hooks';
import type { ApiGrant, ApiUser, Me } from '../../../src/protocol/auth-types.js';
import { ConfirmButton } from '../components/confirm-button.js';
import { SecretOnce } from '../components/secret-once.js';
import { grantText } from '../components/user-menu.js';
import { formatDateTime, t } from '../i18n/index.js';
import { useAction, useLoad } from '../use-load.js';
import { createUser, deleteUser, generatePassword, listUsers, updateUser } from './access-api.js';
import { GrantsEditor } from './grants-editor.js';

function CreateUser({ me, onCreated, listId }: { me: Me; onCreated: (u: ApiUser, password: string | undefined) => void; listId: string }) {
  const [username, setUsername] = useState('');
  const [grants, setGrants] = useState<ApiGrant[]>([{ role: 'viewer', scope: '' }]);
  const [platformOperator, setPlatformOperator] = useState(false);
  const [error, setError] = useState('');
  const submit = async (ev: Event) => {
    ev.preventDefault();
    setError('');
    try {
      const r = await createUser({ username: username.trim(), grants, ...(platformOperator ? { platformOperator } : {}) });
      setUsername('');
      setGrants([{ role: 'viewer', scope: '' }]);
      onCreated(r.user, r.password);
    } catch (e) {
      setError((e as Error).message);
    }
  };
  return (
    <form class="panel form-grid" onSubmit={submit} data-testid="user-create">
      <h2>{t('access.newUser')}</h2>
      <label><span>{t('login.username')}</span><input required maxLength={64} value={username} data-testid="user-name" onInput={(e) => setUsername((e.currentTarget as HTMLInputElement).value)} /></label>
      <div class="field"><span>{t('access.grants')}</span><GrantsEditor grants={grants} onChange={setGrants} listId={listId} testid="user-grants" /></div>
      {me.platformOperator ? <label class="check"><input type="checkbox" checked={platformOperator} onChange={(e) => setPlatformOperator((e.currentTarget as HTMLInputElement).checked)} />{t('user.platformOperator')}</label> : null}
      <p class="muted small">{t('access.passwordGenerated')}</p>
      {error ? <p class="form-error" role="alert">{error}</p> : null}
      <div><button class="btn primary" type="submit" data-testid="user-create-submit">{t('access.create')}</button></div>
    </form>
  );
}

/** A user's grants, changed in place. */
function EditGrants({ user, listId, onSave, onCancel }: { user: ApiUser; listId: string; onSave: (grants: ApiGrant[]) => void; onCancel: () => void }) {
  const [grants, setGrants] = useState<ApiGrant[]>(user.grants.map((g) => ({ ...g })));
  return (
    <tr class="edit-row"><td colSpan={5}>
      <form class="row" data-testid="grants-edit" onSubmit={(ev) => { ev.preventDefault(); onSave(grants); }}>
        <GrantsEditor grants={grants} onChange={setGrants} listId={listId} />
        <button class="btn primary small" type="submit" data-testid="grants-save">{t('access.save')}</button>
        <button class="btn small" type="button" onClick={onCancel}>{t('common.cancel')}</button>
      </form>
    </td></tr>
  );
}

/** The panel. */
export function UsersPanel({ me, listId }: { me: Me; listId: string }) {
  const users = useLoad((signal) => listUsers(signal));
  const [secret, setSecret] = useState<{ label: string; value: string } | undefined>();
  const [editing, setEditing] = useState('');
  const { error, act } = useAction(users.reload);
  const reset = (u: ApiUser) => act(async () => {
    const password = generatePassword();
    await updateUser(u.id, { password });
    setSecret({ label: t('access.passwordOf', { user: u.username }), value: password });
  });
  return (
    <div class="access-panel" data-testid="users-panel">
      {secret ? <SecretOnce label={secret.label} secret={secret.value} onDismiss={() => setSecret(undefined)} /> : null}
      {users.error || error ? <p class="banner" role="alert">{error || users.error}</p> : null}
      <div class="table-wrap">
        <table class="access-table">
          <thead><tr><th>{t('login.username')}</th><th>{t('access.grants')}</th><th>{t('access.state')}</th><th>{t('access.created')}</th><th /></tr></thead>
          <tbody>
            {(users.data ?? []).flatMap((u) => [
              <tr key={u.id} data-testid={`user-${u.username}`} class={u.disabled ? 'row-off' : ''}>
                <td><b>{u.username}</b>{u.platformOperator ? <span class="badge badge-info">{t('user.platformOperator')}</span> : null}</td>
                <td class="small">{u.grants.map(grantText).join(', ')}</td>
                <td>{u.disabled ? <span class="pill off">{t('access.disabled')}</span> : <span class="pill on">{t('access.enabled')}</span>}</td>
                <td class="muted small">{formatDateTime(u.createdTs)}</td>
                <td class="actions">
                  {u.id === me.id ? <span class="muted small">{t('access.you')}</span> : (
                    <>
                      <button class="btn small" data-testid="user-toggle" onClick={() => void act(() => updateUser(u.id, { disabled: !u.disabled }))}>{u.disabled ? t('access.enable') : t('access.disable')}</button>
                      <button class="btn small" data-testid="user-grants-edit" onClick={() => setEditing(editing === u.id ? '' : u.id)}>{t('access.editGrants')}</button>
                      <button class="btn small" data-testid="user-reset" onClick={() => void reset(u)}>{t('access.resetPassword')}</button>
                      <ConfirmButton label={t('access.delete')} testid="user-delete" onConfirm={() => act(() => deleteUser(u.id))} />
                    </>
                  )}
                </td>
              </tr>,
              editing === u.id ? <EditGrants key={`${u.id}-edit`} user={u} listId={listId} onCancel={() => setEditing('')}
                onSave={(grants) => void act(async () => { await updateUser(u.id, { grants }); setEditing(''); })} /> : null,
            ])}
          </tbody>
        </table>
      </div>
      <CreateUser me={me} listId={listId} onCreated={(u, pw) => {
        if (pw) setSecret({ label: t('access.passwordOf', { user: u.username }), value: pw });
        users.reload();
      }} />
    </div>
  );
}
