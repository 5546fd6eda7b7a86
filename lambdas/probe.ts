// Lambda entry of the probe: configuration and AWS clients, built once at cold start. It reads
// TLS endpoints; document targets go to the documents function (lambdas/documents.ts).
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SNSClient } from '@aws-sdk/client-sns';
import { probeConfig } from '../lib/config.ts';
import { monitorDependencies } from '../lib/monitor/monitor-dependencies.ts';
import { SnsPublisher } from '../lib/notify/sns-publisher.ts';
import { TLS_READERS } from '../lib/sources/tls-readers.ts';
import { createHandler } from './probe-handler.ts';

const config = probeConfig();
export const handler = createHandler(
  monitorDependencies(
    config,
    new DynamoDBClient({}),
    new SnsPublisher(new SNSClient({}), config.topicArn),
    TLS_READERS,
  ),
);
