// Lambda entry of discovery: configuration and clients at cold start.
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SNSClient } from '@aws-sdk/client-sns';
import { discoveryConfig } from '../lib/config.ts';
import { runDiscovery } from '../lib/discovery/run-discovery.ts';
import { SnsPublisher } from '../lib/notify/sns-publisher.ts';
import { documentClient } from '../lib/store/document-client.ts';
import { TargetStore } from '../lib/store/target-store.ts';
import { createHandler } from './discovery-handler.ts';

const config = discoveryConfig();
const targets = new TargetStore(documentClient(new DynamoDBClient({})), config.targetsTable);
const publisher = new SnsPublisher(new SNSClient({}), config.topicArn);

export const handler = createHandler(() =>
  runDiscovery(
    { targets, publisher },
    {
      regions: config.regions,
      homeAccount: config.homeAccount,
      partition: config.partition,
      roles: config.accountRoles,
      sourceTag: config.sourceTag,
    },
  ),
);
