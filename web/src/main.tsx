/**
 * Entry point of the dashboard bundle.
 * @module
 */
import { render } from 'preact';
import { App } from './app.js';
import { locale } from './i18n/index.js';
import './styles.css';

document.documentElement.lang = locale();
render(<App />, document.getElementById('app')!);
