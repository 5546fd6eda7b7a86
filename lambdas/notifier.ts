// Lambda entry of the notifier: configuration and AWS clients, built once at cold start.
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { notifierConfig } from '../lib/config.ts';
import { createHandler } from './notifier-handler.ts';

export const handler = createHandler(notifierConfig(), new SecretsManagerClient({}));
