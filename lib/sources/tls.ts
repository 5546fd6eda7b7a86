// `tls`: what every address of an endpoint serves (the probe in lib/probe).
import type { CheckResult } from '../policy/check-result.ts';
import { checkTarget } from '../probe/check-target.ts';
import type { SourceContext, SourceRequest } from './source-context.ts';

export function readTls(request: SourceRequest, context: SourceContext): Promise<CheckResult> {
  return checkTarget(request, {
    trust: context.trust,
    timeouts: context.timeouts,
    thresholds: context.thresholds,
    now: context.now,
    ...(context.resolver ? { resolver: context.resolver } : {}),
    ...(context.maxAddresses ? { maxAddresses: context.maxAddresses } : {}),
    ...(context.guard ? { guard: context.guard } : {}),
    ...(context.ariDirectories ? { renewalInfo: { directories: context.ariDirectories } } : {}),
    ...(context.onlineChecks === false ? { revocation: false as const, renewalInfo: false as const } : {}),
  });
}
