/**
 * Grants as a list of "role on asset path" rows. The scope field suggests the plant's asset paths;
 * empty means the whole tenant.
 * @module
 */
import type { ApiGrant, ApiRole } from '../../../src/protocol/auth-types.js';
import { t } from '../i18n/index.js';

/** The roles, lowest first. */
export const ROLES: readonly ApiRole[] = ['viewer', 'operator', 'engineer', 'admin'];

/** Props of {@link GrantsEditor}. */
export interface GrantsEditorProps {
  grants: ApiGrant[];
  onChange: (grants: ApiGrant[]) => void;
  /** id of a <datalist> of asset paths. */
  listId?: string;
  testid?: string;
}

/** The editor. */
export function GrantsEditor({ grants, onChange, listId, testid }: GrantsEditorProps) {
  const set = (i: number, g: Partial<ApiGrant>) => onChange(grants.map((x, j) => (j === i ? { ...x, ...g } : x)));
  return (
    <div class="grants-editor" data-testid={testid}>
      {grants.map((g, i) => (
        <div class="grant-row" key={i}>
          <select aria-label={t('access.role')} value={g.role} data-testid="grant-role" onChange={(e) => set(i, { role: (e.currentTarget as HTMLSelectElement).value as ApiRole })}>
            {ROLES.map((r) => <option value={r}>{t(`role.${r}`)}</option>)}
          </select>
          <span class="muted">@</span>
          <input aria-label={t('access.scope')} placeholder={t('access.scopeAll')} list={listId} value={g.scope} data-testid="grant-scope"
            onInput={(e) => set(i, { scope: (e.currentTarget as HTMLInputElement).value.trim().replace(/\/+$/, '') })} />
          {grants.length > 1 ? <button type="button" class="icon-btn small" aria-label={t('access.removeGrant')} onClick={() => onChange(grants.filter((_, j) => j !== i))}>×</button> : null}
        </div>
      ))}
      <button type="button" class="btn small" onClick={() => onChange([...grants, { role: 'viewer', scope: '' }])}>{t('access.addGrant')}</button>
    </div>
  );
}
