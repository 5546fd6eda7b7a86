// Import rules a machine checks (npm run lint): the layer order of DESIGN.md (infra -> lambdas ->
// lib), no cycles, and verdicts (lib/policy) that do no I/O.
/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
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
