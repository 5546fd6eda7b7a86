// Lambda entry of the action links (issue 31): configuration and AWS clients, built once at cold start.
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { actionsConfig } from '../lib/config.ts';
import { secretKey } from '../lib/notify/action-key.ts';
import { EventBridgePublisher } from '../lib/notify/eventbridge-publisher.ts';
import { ActionLedger } from '../lib/store/action-ledger.ts';
import { documentClient } from '../lib/store/document-client.ts';
import { HistoryStore } from '../lib/store/history-store.ts';
import { TargetStore } from '../lib/store/target-store.ts';
import { createActionsHandler } from './actions-handler.ts';

const config = actionsConfig();
const doc = documentClient(new DynamoDBClient({}));
export const handler = createActionsHandler({
  key: secretKey(new SecretsManagerClient({}), config.keySecret),
  ledger: new ActionLedger(doc, config.directoryTable),
  targets: new TargetStore(doc, config.targetsTable),
  history: new HistoryStore(doc, config.historyTable, config.historyTtlDays),
  runbooks: config.eventBus
    ? EventBridgePublisher.acknowledgementsOnly(new EventBridgeClient({}), config.eventBus)
    : undefined,
});
