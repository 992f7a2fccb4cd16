/**
 * The two small icons of the alarm screens, drawn as SVG (a kiosk without an emoji font still
 * shows them).
 * @module
 */

/** A bell (the header badge). */
export function BellIcon() {
  return (
    <svg class="icon" width="14" height="14" viewBox="0 0 16 16" aria-hidden="true" fill="currentColor">
      <path d="M8 1.5a1 1 0 0 1 1 1v.6a4.5 4.5 0 0 1 3.5 4.4v3l1.3 1.6a.5.5 0 0 1-.4.9H2.6a.5.5 0 0 1-.4-.9L3.5 10.5v-3A4.5 4.5 0 0 1 7 3.1v-.6a1 1 0 0 1 1-1zM6.3 14h3.4a1.7 1.7 0 0 1-3.4 0z" />
    </svg>
  );
}

/** A clock (an alarm's history). */
export function ClockIcon() {
  return (
    <svg class="icon" width="14" height="14" viewBox="0 0 16 16" aria-hidden="true" fill="none" stroke="currentColor" stroke-width="1.6">
      <circle cx="8" cy="8" r="6.2" /><path d="M8 4.5V8l2.5 1.6" stroke-linecap="round" />
    </svg>
  );
}
