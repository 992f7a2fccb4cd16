/**
 * A secret the server shows once (a generated password, an API token, a device password, a
 * showcase link): readable, selectable, with a copy button and the warning that it will not be
 * shown again.
 * @module
 */
import { useState } from 'preact/hooks';
import { t } from '../i18n/index.js';

/** Props of {@link SecretOnce}. */
export interface SecretOnceProps {
  /** What it is, e.g. "Password of anna". */
  label: string;
  secret: string;
  onDismiss: () => void;
  /** Links are not secrets to hide, but are still shown once. */
  note?: string;
}

/** The box. */
export function SecretOnce({ label, secret, onDismiss, note }: SecretOnceProps) {
  const [copied, setCopied] = useState(false);
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(secret);
      setCopied(true);
    } catch {
      // No clipboard (plain http on another host): the text stays selectable.
      setCopied(false);
    }
  };
  return (
    <div class="secret-once" role="status" data-testid="secret-once">
      <div class="secret-label">{label}</div>
      <div class="secret-row">
        <code class="secret mono" data-testid="secret-value">{secret}</code>
        <button class="btn small" data-testid="secret-copy" onClick={() => void copy()}>{copied ? t('common.copied') : t('common.copy')}</button>
        <button class="btn small" onClick={onDismiss}>{t('common.done')}</button>
      </div>
      <p class="muted small">{note ?? t('secret.once')}</p>
    </div>
  );
}
