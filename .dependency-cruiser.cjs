// Import rules a machine checks (npm run lint): the layer order of DESIGN.md (infra -> lambdas ->
// lib), no cycles, and verdicts (lib/policy) that do no I/O.
/**
 * The layers of lib/, lowest first (DESIGN.md, "Target layout of lib/"): a folder imports only
 * folders before it. The files at lib/'s root are below every folder (text-bounds, concurrency,
 * ip-family, node-builtins, usage-error), except config.ts, which reads the environment for the
 * entries (lambdas/, local/, cli/) and is imported elsewhere for its types only.
 */
const LAYERS = [
  'targets',
  'net',
  'certificate',
  'policy',
  'notify',
  'inventory',
  'store',
  'sources',
  'monitor',
  'discovery',
  'dispatch',
  'observability',
  'admin',
  'actions',
  'doctor',
  'dashboard',
  'local',
  'cli',
];

const layerRules = LAYERS.slice(0, -1).map((layer, i) => ({
  name: `layer-${layer}`,
  severity: 'error',
  comment: `lib/${layer} sits below ${LAYERS.slice(i + 1).join(', ')}: it imports none of them.`,
  from: { path: `^lib/${layer}/` },
  to: { path: `^lib/(${LAYERS.slice(i + 1).join('|')})/` },
}));

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    ...layerRules,
    {
      name: 'root-files-below-folders',
      severity: 'error',
      comment:
        "lib/'s root utilities import no folder of lib/ (config.ts and config-actions.ts aside: they compose them).",
      from: { path: '^lib/[^/]+\\.ts$', pathNot: '^lib/(config|config-actions)\\.ts$' },
      to: { path: '^lib/[^/]+/' },
    },
    {
      name: 'config-for-entries',
      severity: 'error',
      comment:
        'Only the entries read the configuration (lambdas/, local/, cli/); other code takes its values as arguments and may name its types.',
      // config.ts composes config-actions.ts (issue 31's settings).
      from: { path: '^lib/', pathNot: '^lib/((local|cli)/|config\\.ts$)' },
      to: { path: '^lib/(config|config-actions)\\.ts$', dependencyTypesNot: ['type-only'] },
    },
    {
      name: 'no-circular',
      severity: 'error',
      comment: 'A cycle means two modules are one concern, or a contract sits above its users.',
      from: {},
      to: { circular: true },
    },
    {
      name: 'lib-not-to-entries',
      severity: 'error',
      comment: 'lib is the product: it never depends on the Lambda entries or the infrastructure.',
      from: { path: '^lib/' },
      to: { path: '^(lambdas|infra)/' },
    },
    {
      name: 'lambdas-not-to-infra',
      severity: 'error',
      comment: 'The functions read their configuration at cold start; they never import the stack.',
      from: { path: '^lambdas/' },
      to: { path: '^infra/' },
    },
    {
      name: 'policy-without-io',
      severity: 'error',
      comment: 'Verdicts are pure: lib/policy imports nothing that reaches the network, the disk or AWS (types aside).',
      from: { path: '^lib/policy/' },
      to: {
        dependencyTypesNot: ['type-only'],
        path: [
          '^node:(net|tls|http|https|dns|fs|fs/promises|child_process|zlib)$',
          '^(net|tls|http|https|dns|fs|child_process|zlib)$',
          '@aws-sdk',
          '^lib/(store|sources|net|notify|dispatch|discovery|local|cli|admin|dashboard|doctor|monitor)/',
        ],
      },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    // TypeScript 7's compiler has no JavaScript API for dependency-cruiser; swc reads the sources
    // as written, type-only imports included (marked `type-only`).
    parser: 'swc',
  },
};
