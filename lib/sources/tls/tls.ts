// `tls`: what every address of an endpoint serves (the handshake and STARTTLS in this folder).
import type { CheckResult } from '../../policy/check-result.ts';
import type { SourceContext, SourceRequest } from '../source-context.ts';
import { checkTarget } from './check-target.ts';

export function readTls(request: SourceRequest, context: SourceContext): Promise<CheckResult> {
  return checkTarget(request, {
    trust: context.trust,
    timeouts: context.timeouts,
    within: context.within,
    thresholds: context.thresholds,
    now: context.now,
    ...(context.resolver ? { resolver: context.resolver } : {}),
    ...(context.maxAddresses ? { maxAddresses: context.maxAddresses } : {}),
    ...(context.guard ? { guard: context.guard } : {}),
    ...(context.ariDirectories ? { renewalInfo: { directories: context.ariDirectories } } : {}),
    ...(context.onlineChecks === false ? { revocation: false as const, renewalInfo: false as const } : {}),
  });
}
