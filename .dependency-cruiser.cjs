/**
 * The dependency-direction rules of ARCHITECTURE.md §2, checked by `npm run lint` (part of npm test).
 * A new layer or exception is added here, with its reason, in the same change as the code.
 */
module.exports = {
  forbidden: [
    {
      name: 'core-is-pure',
      comment: 'core holds domain types and ports: it imports nothing from the project outside core, and no node:* module.',
      severity: 'error',
      from: { path: '^src/core/' },
      to: { pathNot: ['^src/core/', '^node_modules/'], dependencyTypesNot: ['type-only'] },
    },
    {
      name: 'core-no-node-builtins',
      severity: 'error',
      from: { path: '^src/core/' },
      to: { dependencyTypes: ['core'] },
    },
    {
      name: 'connectors-only-core',
      comment: 'a connector imports only core and its driver library; connectors never import each other, api or app.',
      severity: 'error',
      from: { path: '^src/connectors/([^/]+)/' },
      to: { path: '^src/', pathNot: ['^src/core/', '^src/connectors/$1/'] },
    },
    {
      name: 'backends-only-core',
      comment: 'historian backends import only core and their driver.',
      severity: 'error',
      from: { path: '^src/historian/backends/([^/]+)/' },
      to: { path: '^src/', pathNot: ['^src/core/', '^src/historian/backends/$1/'] },
    },
    {
      name: 'store-only-core',
      comment: 'metadata stores import only core and their driver.',
      severity: 'error',
      from: { path: '^src/store/' },
      to: { path: '^src/', pathNot: ['^src/core/', '^src/store/'] },
    },
    {
      name: 'services-use-ports',
      comment: 'ingest, live (the live hub), rules, alarms, commands, oee, fleet and historian depend on ports in core, not on concrete backends, stores or connectors.',
      severity: 'error',
      from: { path: '^src/(ingest|live|rules|alarms|commands|oee|fleet|historian/[^/]+\\.ts)' },
      to: { path: '^src/(connectors|store|historian/backends|api|cli|app\\.ts|sim)' },
    },
    {
      name: 'api-uses-services',
      comment: 'the API depends on services and protocol, never on backends, stores, connectors or the composition root.',
      severity: 'error',
      from: { path: '^src/api/' },
      to: { path: '^src/(connectors|store|historian/backends|app\\.ts|cli|sim)' },
    },
    {
      name: 'protocol-is-portable',
      comment: 'src/protocol is shared with the browser: no node:* and nothing from the server side.',
      severity: 'error',
      from: { path: '^src/protocol/' },
      to: { path: '^src/', pathNot: ['^src/protocol/'] },
    },
    {
      name: 'protocol-no-node-builtins',
      severity: 'error',
      from: { path: '^src/protocol/' },
      to: { dependencyTypes: ['core'] },
    },
    {
      name: 'only-app-wires-concretes',
      comment: 'only the composition root (app.ts and its app-*.ts parts) picks concrete backends, stores and connectors (the simulator is a device: it may use the wire codecs).',
      severity: 'error',
      from: { path: '^src/', pathNot: ['^src/app[a-z-]*\\.ts$', '^src/connectors/', '^src/historian/backends/', '^src/store/', '^src/sim/', '^src/edge/', '^src/cli/edge-command\\.ts$', '\\.test\\.ts$'] },
      to: { path: '^src/(connectors|historian/backends|store)/' },
    },
    {
      name: 'edge-is-a-device',
      comment: 'the edge agent runs next to the machines: core, the Sparkplug codec and the protocol schemas only; its CLI composition (src/cli/edge-command.ts) wires the concrete connectors.',
      severity: 'error',
      from: { path: '^src/edge/', pathNot: '\\.test\\.ts$' },
      to: { path: '^src/', pathNot: ['^src/core/', '^src/edge/', '^src/connectors/sparkplug/', '^src/protocol/'] },
    },
    {
      name: 'sim-is-a-device',
      comment: 'the virtual factory speaks the wire protocols like a real machine: it may use core and the codecs, nothing of the platform.',
      severity: 'error',
      from: { path: '^src/sim/' },
      to: { path: '^src/', pathNot: ['^src/core/', '^src/sim/', '^src/connectors/sparkplug/', '^src/connectors/uns/'] },
    },
    {
      name: 'web-only-protocol',
      comment: 'the browser bundle reaches into src/ only for the shared protocol types (ARCHITECTURE.md §2).',
      severity: 'error',
      from: { path: '^web/' },
      to: { path: '^src/', pathNot: ['^src/protocol/'] },
    },
    {
      name: 'no-circular',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '\\.test\\.ts$' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { exportsFields: ['exports'], conditionNames: ['import', 'require', 'node', 'default', 'types'], extensions: ['.ts', '.tsx', '.js'] },
  },
};
