import type { TrustStore } from '../certificate/trust-store.ts';
import type { Resolver } from '../net/resolve-addresses.ts';
import type { ProbeTimeouts } from '../net/timeouts.ts';
import type { Thresholds } from '../policy/renewal-policy.ts';
import type { SourceKind } from '../targets/kinds.ts';
import type { AccountRoles } from './aws/account-roles.ts';
import type { CheckRequest } from './tls/check-target.ts';

/** What a source reads: a target's kind, where, and its own windows. */
export interface SourceRequest extends CheckRequest {
  kind: SourceKind;
  /** The document's URL or the file's path (not for `tls`). */
  source?: string | undefined;
}

/** Everything a source needs besides the request; the same for every kind. */
export interface SourceContext {
  trust: TrustStore;
  timeouts: ProbeTimeouts;
  /** The check's deadline (net/timeouts.ts checkDeadline): every reader's network steps end by it. */
  within?: AbortSignal | undefined;
  /** Windows for targets that set none of their own. */
  thresholds: Thresholds;
  /** Why an address must not be contacted (refused in deployments that do not allow private targets). */
  guard?: ((address: string) => string | undefined) | undefined;
  resolver?: Resolver | undefined;
  maxAddresses?: number | undefined;
  /** `file:` targets are read only where the files are the user's own: the CLI and local mode. */
  allowFiles: boolean;
  /**
   * ACME directories by issuer organization, for renewal information (ARI); absent: the public
   * CAs in DEFAULT_ARI_DIRECTORIES.
   */
  ariDirectories?: Readonly<Record<string, string>> | undefined;
  /** Ask CAs about served certificates: CRLs and ACME renewal information (default: yes). */
  onlineChecks?: boolean | undefined;
  /** Roles that read AWS sources in other accounts (by account id); absent: this account only. */
  awsRoles?: AccountRoles | undefined;
  now: () => Date;
}
