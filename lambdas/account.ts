// Lambda entry of the account function: the probe handler with the readers of the certificates
// the AWS account holds (ACM, IAM, Secrets Manager, SSM), whose SDK clients would not fit the
// other functions' bundles.
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SNSClient } from '@aws-sdk/client-sns';
import { probeConfig } from '../lib/config.ts';
import { monitorDependencies } from '../lib/monitor/monitor-dependencies.ts';
import { SnsPublisher } from '../lib/notify/sns-publisher.ts';
import { AWS_READERS } from '../lib/sources/aws-readers.ts';
import { createHandler } from './probe-handler.ts';

const config = probeConfig();
export const handler = createHandler(
  monitorDependencies(
    config,
    new DynamoDBClient({}),
    new SnsPublisher(new SNSClient({}), config.topicArn),
    AWS_READERS,
  ),
);
