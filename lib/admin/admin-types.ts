// The admin API's request, dependencies and route shapes: what the router and every route module share.
import type { DiscoverAnswer } from '../discovery/enrol.ts';
import type { ProbeOutcome } from '../monitor/probe-target.ts';
import type { Resolver } from '../net/resolve-addresses.ts';
import type { EventPublisher } from '../notify/event-publisher.ts';
import type { EventBridgePublisher } from '../notify/eventbridge-publisher.ts';
import type { CheckResult } from '../policy/check-result.ts';
import type { CertificateStore } from '../store/certificate-store.ts';
import type { HistoryStore } from '../store/history-store.ts';
import type { MaintenanceStore } from '../store/maintenance-store.ts';
import type { TargetStore } from '../store/target-store.ts';
import type { Target } from '../targets/target-schema.ts';
import type { ExportService } from './exports.ts';
import type { OwnerDirectory } from './owner-directory.ts';
import type { AdminResponse } from './problem.ts';

/** A request to the admin API, independent of Lambda or node:http. Header names are lower-case. */
export interface AdminRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: Record<string, string | undefined>;
  body: string | undefined;
  /** Who is asking, when the transport knows (the IAM caller of a function URL). */
  caller?: string | undefined;
}

export interface AdminDependencies {
  targets: TargetStore;
  /** Probes one target now (same as the probe function) and returns the outcome. */
  probe: (target: Target) => Promise<ProbeOutcome>;
  /** Says why an address is refused; undefined when private targets are allowed. */
  guard: ((address: string) => string | undefined) | undefined;
  /** The timeline (GET /targets/{id} shows the latest full result from it). */
  history?: HistoryStore | undefined;
  /** The certificate inventory (GET /certificates); absent: the routes answer 501. */
  certificates?: CertificateStore | undefined;
  /** Accept `file:` targets (local mode: the files are the user's own); never in AWS. */
  allowFiles?: boolean | undefined;
  /** Where POST /test-alert's notification goes, said in its answer (default: the alert topic's words). */
  testAlertDelivery?: string | undefined;
  /** Sends notifications to every subscribed channel (for POST /test-alert). */
  publisher?: Pick<EventPublisher, 'publishNotification'> | undefined;
  /** Exports to S3 (POST /exports, deployed); absent: the routes answer 501 (locally, report --out). */
  exports?: ExportService | undefined;
  /** Runs discovery now (POST /discover); absent: the route answers 501. */
  discover?: (() => Promise<DiscoverAnswer>) | undefined;
  /** The owner directory (GET/PUT/DELETE /owners); absent: the routes answer 501. */
  owners?: OwnerDirectory | undefined;
  /** Runbooks (EventBridge): acknowledgements and snoozes are put there too; absent: off. */
  runbooks?: Pick<EventBridgePublisher, 'acknowledged'> | undefined;
  /** Maintenance windows (GET/POST/DELETE /maintenance); absent: the routes answer 501. */
  windows?: MaintenanceStore | undefined;
  resolver?: Resolver;
  now?: () => Date;
}

/** A target as the API shows it: its settings, and its latest check in the check-result fields. */
export interface TargetView extends Target {
  createdAt: string;
  updatedAt: string;
  nextCheckAt: string;
  lastCheck: CheckResult | null;
}

export type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

/** One resource of the API: its path as people read it, how to match it, and its methods. */
export interface Route {
  /** As the 404 answer lists it, e.g. `/targets/{id}`. */
  path: string;
  /** Matches a request path (trailing slashes removed); the groups are the handlers' parameters. */
  pattern: RegExp;
  methods: Partial<
    Record<Method, (request: AdminRequest, params: string[], deps: AdminDependencies) => Promise<AdminResponse>>
  >;
  /** Said after the allowed methods in a 405 answer. */
  hint?: string;
}
