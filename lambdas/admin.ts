// Lambda entry of the admin API: configuration and AWS clients, built once at cold start.
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { LambdaClient } from '@aws-sdk/client-lambda';
import { S3Client } from '@aws-sdk/client-s3';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SNSClient } from '@aws-sdk/client-sns';
import { ExportService, invokeExport } from '../lib/admin/exports.ts';
import { OwnerDirectory } from '../lib/admin/owner-directory.ts';
import { adminConfig } from '../lib/config.ts';
import { invokeDiscovery } from '../lib/discovery/invoke-discovery.ts';
import { deployedPublisher, monitorDependencies } from '../lib/monitor/monitor-dependencies.ts';
import { probeTarget } from '../lib/monitor/probe-target.ts';
import { EventBridgePublisher } from '../lib/notify/eventbridge-publisher.ts';
import { SecretsManagerOwnerChannels } from '../lib/notify/owner-channels.ts';
import { SnsEmailSubscriptions } from '../lib/notify/sns-subscriptions.ts';
import { ALL_READERS } from '../lib/sources/registry.ts';
import { DirectoryStore } from '../lib/store/directory-store.ts';
import { documentClient } from '../lib/store/document-client.ts';
import { addressGuard } from '../lib/targets/address-guard.ts';
import { createHandler } from './admin-handler.ts';

const config = adminConfig();
const sns = new SNSClient({});
const dynamo = new DynamoDBClient({});
const publisher = deployedPublisher(config, dynamo, sns);
const monitor = monitorDependencies(config, dynamo, publisher, ALL_READERS);
export const handler = createHandler({
  targets: monitor.targets,
  publisher,
  runbooks: publisher instanceof EventBridgePublisher ? publisher : undefined,
  certificates: monitor.certificates,
  history: monitor.history,
  probe: (target) => probeTarget(monitor, target),
  guard: config.allowPrivateTargets ? undefined : addressGuard(false),
  discover: config.discoveryFunctionName
    ? invokeDiscovery(new LambdaClient({}), config.discoveryFunctionName)
    : undefined,
  windows: monitor.windows,
  owners: config.directoryTable
    ? new OwnerDirectory(
        new DirectoryStore(documentClient(dynamo), config.directoryTable),
        new SnsEmailSubscriptions(sns, config.topicArn),
        config.ownerChannels
          ? {
              values: new SecretsManagerOwnerChannels(new SecretsManagerClient({}), config.ownerChannels.prefix),
              enabled: config.ownerChannels.enabled,
            }
          : undefined,
      )
    : undefined,
  exports:
    config.exportBucket && config.exportFunctionName
      ? new ExportService({
          s3: new S3Client({}),
          bucket: config.exportBucket,
          invoke: invokeExport(new LambdaClient({}), config.exportFunctionName),
        })
      : undefined,
});
