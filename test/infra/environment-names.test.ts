// The names of the functions' environment variables are bound once (ENV in lib/config.ts): every
// variable a synthesized function gets is one the configuration reads, or the runtime's own.
import { describe, expect, it } from 'vitest';
import { ENV } from '../../lib/env-names.ts';
import { synthStack } from '../fixtures/synth.ts';

/** Read by Node and Powertools, not by certvigil's configuration. */
const RUNTIME = new Set(['NODE_OPTIONS', 'POWERTOOLS_METRICS_NAMESPACE']);

describe('function environments', () => {
  it('set only variables the configuration reads, in the default and a fully configured stack', () => {
    const known = new Set<string>(Object.values(ENV));
    const seen = new Set<string>();
    for (const context of [
      {},
      {
        certvigil: {
          channels: ['slack', 'teams', 'pagerduty', 'webhook'],
          dispatchMode: 'queue',
          actionLinks: true,
          runbookEvents: true,
          ctDomains: ['example.com'],
          ctIssuers: ['Example CA'],
          warnDays: 20,
          critDays: 5,
          accountRoleArns: ['arn:aws:iam::222222222222:role/certvigil-read'],
        },
      },
    ]) {
      const functions = synthStack(context).template.findResources('AWS::Lambda::Function');
      for (const fn of Object.values(functions)) {
        for (const name of Object.keys(fn.Properties?.Environment?.Variables ?? {})) seen.add(name);
      }
    }
    const unknown = [...seen].filter((name) => !known.has(name) && !RUNTIME.has(name));
    expect(unknown).toEqual([]);
    // Both sides in use: the stacks above set most of the names the configuration reads.
    expect([...seen].filter((name) => known.has(name)).length).toBeGreaterThan(known.size / 2);
  }, 240_000);
});
