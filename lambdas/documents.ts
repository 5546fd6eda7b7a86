// Lambda entry of the documents function: the probe handler with the readers of SAML metadata,
// JWKS and PEM documents (kept apart so the TLS probe bundle stays small).
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SNSClient } from '@aws-sdk/client-sns';
import { probeConfig } from '../lib/config.ts';
import { monitorDependencies } from '../lib/monitor/monitor-dependencies.ts';
import { SnsPublisher } from '../lib/notify/sns-publisher.ts';
import { DOCUMENT_READERS } from '../lib/sources/document-readers.ts';
import { createHandler } from './probe-handler.ts';

const config = probeConfig();
export const handler = createHandler(
  monitorDependencies(
    config,
    new DynamoDBClient({}),
    new SnsPublisher(new SNSClient({}), config.topicArn),
    DOCUMENT_READERS,
  ),
);
