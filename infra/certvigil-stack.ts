import { type CfnElement, CfnOutput, RemovalPolicy, Stack, type StackProps, Validations } from 'aws-cdk-lib';
import * as kms from 'aws-cdk-lib/aws-kms';
import type { RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';
import { STACK_OUTPUTS } from '../lib/doctor/stack-outputs.ts';
import type { CertvigilConfig } from './config.ts';
import { ActionLinks } from './constructs/action-links.ts';
import { AdminApi } from './constructs/admin-api.ts';
import { Alerts } from './constructs/alerts.ts';
import { Discovery } from './constructs/discovery.ts';
import { Dispatcher } from './constructs/dispatcher.ts';
import { Exports } from './constructs/exports.ts';
import { FailureQueue } from './constructs/failure-queue.ts';
import { Monitoring } from './constructs/monitoring.ts';
import { grantAccountReads, ProbeFleet } from './constructs/probe-fleet.ts';
import { putsRunbookEvents } from './constructs/runbooks.ts';
import { Store } from './constructs/store.ts';

export interface CertvigilStackProps extends StackProps {
  config: CertvigilConfig;
}

/** certvigil in one stack: a composition of named constructs, wiring only. */
export class CertvigilStack extends Stack {
  readonly store: Store;
  readonly alerts: Alerts;
  readonly probes: ProbeFleet;
  readonly dispatch: Dispatcher;
  readonly adminApi: AdminApi;
  /** Exports of the whole inventory to S3 (POST /exports). */
  readonly exports: Exports;
  readonly discovery: Discovery;
  readonly monitoring: Monitoring;
  /** Signed acknowledge and snooze links (opt-in setting `actionLinks`). */
  readonly actionLinks: ActionLinks | undefined;

  constructor(scope: Construct, id: string, props: CertvigilStackProps) {
    super(scope, id, props);
    const config = props.config;
    const removalPolicy = config.dataRemovalPolicy === 'retain' ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY;
    const logRetention = config.logRetentionDays as RetentionDays;

    const key = new kms.Key(this, 'Key', {
      description: 'certvigil: encrypts the alert topic and the failure queue',
      enableKeyRotation: true,
      removalPolicy,
    });
    this.store = new Store(this, 'Store', { removalPolicy });
    const failures = new FailureQueue(this, 'Failures', { key });
    this.alerts = new Alerts(this, 'Alerts', {
      key,
      emails: config.alertEmails,
      ownerEmails: config.ownerEmails,
      unownedEmails: config.unownedEmails,
      escalationEmails: config.escalationEmails,
      channels: config.channels.map((name) => ({
        name,
        secret: config[`${name}Secret`],
        secretKmsKey: config[`${name}SecretKmsKey`],
        filter: config.channelFilters[name],
      })),
      failureQueue: failures.queue,
      logRetention,
    });
    const tables = {
      targets: this.store.targets,
      history: this.store.history,
      certificates: this.store.certificates,
      summary: this.store.summary,
      directory: this.store.directory,
      topic: this.alerts.topic,
      config,
      logRetention,
    };
    this.probes = new ProbeFleet(this, 'Probes', { ...tables, key, failureQueue: failures.queue });
    this.dispatch = new Dispatcher(this, 'Dispatch', {
      targets: this.store.targets,
      summary: this.store.summary,
      certificates: this.store.certificates,
      topic: this.alerts.topic,
      probe: this.probes.probe,
      probeQueue: this.probes.queue,
      documents: this.probes.documents,
      documentsQueue: this.probes.documentsQueue,
      account: this.probes.account,
      accountQueue: this.probes.accountQueue,
      failureQueue: failures.queue,
      config,
      logRetention,
    });
    this.discovery = new Discovery(this, 'Discovery', {
      targets: this.store.targets,
      summary: this.store.summary,
      certificates: this.store.certificates,
      topic: this.alerts.topic,
      failureQueue: failures.queue,
      config,
      logRetention,
    });
    this.adminApi = new AdminApi(this, 'AdminApi', { ...tables, discovery: this.discovery.fn });
    this.exports = new Exports(this, 'Exports', {
      targets: this.store.targets,
      certificates: this.store.certificates,
      removalPolicy,
      logRetention,
    });
    for (const [name, value] of Object.entries(this.exports.grantStart(this.adminApi.admin))) {
      this.adminApi.admin.addEnvironment(name, value);
    }
    // "Check now" reads acm/iam/secret/ssm targets as the account function does.
    grantAccountReads(this.adminApi.admin, config);
    // Runbooks (opt-in): whoever publishes events puts them on the default bus too.
    if (config.runbookEvents) {
      for (const fn of [
        this.probes.probe,
        this.probes.documents,
        this.probes.account,
        this.adminApi.admin,
        this.discovery.fn,
      ]) {
        putsRunbookEvents(fn);
      }
    }
    // Signed links (opt-in): the functions whose messages announce open events sign them.
    if (config.actionLinks) {
      this.actionLinks = new ActionLinks(this, 'ActionLinks', {
        targets: this.store.targets,
        history: this.store.history,
        directory: this.store.directory,
        historyTtlDays: config.historyTtlDays,
        linkDays: config.actionLinkDays,
        logRetention,
      });
      for (const fn of [this.probes.probe, this.probes.documents, this.probes.account, this.adminApi.admin]) {
        this.actionLinks.signs(fn);
      }
      if (config.runbookEvents) putsRunbookEvents(this.actionLinks.fn);
    }
    this.monitoring = new Monitoring(this, 'Monitoring', {
      topics: this.alerts.alarmTopics,
      dispatcher: this.dispatch.dispatcher,
      probe: this.probes.probe,
      documents: this.probes.documents,
      account: this.probes.account,
      notifiers: Object.fromEntries(this.alerts.channels.map((c) => [`${c.name}Notifier`, c.notifier])),
      admin: this.adminApi.admin,
      discovery: this.discovery.fn,
      failureQueue: failures.queue,
      schedule: config.schedule,
      probeErrorThreshold: config.probeErrorAlarmThreshold,
      dashboard: config.dashboard,
    });
    // Grants on the targets table include its indexes: the due-soon and lists indexes.
    const targetsId = this.getLogicalId(this.store.targets.node.defaultChild as CfnElement);
    Validations.of(this).acknowledge({
      id: `AwsSolutions-IAM5[Resource::<${targetsId}.Arn>/index/*]`,
      reason:
        'CDK grants on the targets table cover its indexes: the sparse due-soon index and the lists index, both projections of the same table.',
    });
    const certificatesId = this.getLogicalId(this.store.certificates.node.defaultChild as CfnElement);
    Validations.of(this).acknowledge({
      id: `AwsSolutions-IAM5[Resource::<${certificatesId}.Arn>/index/*]`,
      reason:
        'CDK grants on the certificates table cover its one index, the certificate lists index: a projection of the same table (pages of the inventory).',
    });
    // What `certvigil doctor` needs to find the deployment's parts.
    const outputs: [string, string, string][] = [
      [
        STACK_OUTPUTS.alertTopicArn,
        this.alerts.topic.topicArn,
        'The alert topic (email and every channel subscribe to it)',
      ],
      [STACK_OUTPUTS.probeFunctionName, this.probes.probe.functionName, 'The probe function'],
      [STACK_OUTPUTS.dispatcherFunctionName, this.dispatch.dispatcher.functionName, 'The dispatcher function'],
      [STACK_OUTPUTS.dispatchSchedule, config.schedule, 'When dispatch rounds run (UTC)'],
      [STACK_OUTPUTS.discoveryFunctionName, this.discovery.fn.functionName, 'The discovery function'],
    ];
    for (const [id, value, description] of outputs) new CfnOutput(this, id, { value, description });
  }
}
