/**
 * Open a data directory's metadata for the management commands (user, token, tenant, device,
 * audit). The stores are concrete, so app.ts (the composition root) builds them.
 * @module
 */
export { openStores, type DataDirStores } from '../app.js';
