/**
 * Entry point of the dashboard bundle. `/showcase/<token>` is the public showcase page (no login,
 * no dashboard); every other path is the dashboard with hash routing. Each is its own chunk, so a
 * showcase screen never loads the trend charts.
 * @module
 */
import { render } from 'preact';
import { locale } from './i18n/index.js';
import './styles.css';

document.documentElement.lang = locale();
const root = document.getElementById('app')!;
const showcase = /^\/showcase\/([^/]+)\/?$/.exec(location.pathname);
if (showcase) {
  void import('./showcase/showcase-page.js').then(({ ShowcasePage }) => render(<ShowcasePage token={decodeURIComponent(showcase[1]!)} />, root));
} else {
  void import('./app.js').then(({ App }) => render(<App />, root));
}
