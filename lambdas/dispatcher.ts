// Lambda entry of the dispatcher: configuration and AWS clients, built once at cold start.
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { LambdaClient } from '@aws-sdk/client-lambda';
import { SNSClient } from '@aws-sdk/client-sns';
import { SQSClient } from '@aws-sdk/client-sqs';
import { dispatcherConfig } from '../lib/config.ts';
import { SnsPublisher } from '../lib/notify/sns-publisher.ts';
import { CertificateStore } from '../lib/store/certificate-store.ts';
import { documentClient } from '../lib/store/document-client.ts';
import { SummaryStore } from '../lib/store/summary-store.ts';
import { TargetStore } from '../lib/store/target-store.ts';
import { createHandler } from './dispatcher-handler.ts';

const config = dispatcherConfig();
const doc = documentClient(new DynamoDBClient({}));
export const handler = createHandler({
  config,
  targets: new TargetStore(
    doc,
    config.targetsTable,
    config.summaryTable ? new SummaryStore(doc, config.summaryTable) : undefined,
  ),
  ...(config.certificatesTable ? { certificates: new CertificateStore(doc, config.certificatesTable) } : {}),
  ...(config.topicArn ? { publisher: new SnsPublisher(new SNSClient({}), config.topicArn) } : {}),
  lambda: new LambdaClient({ maxAttempts: 1 }),
  ...(config.probeQueueUrl ? { sqs: new SQSClient({ maxAttempts: 1 }) } : {}),
});
