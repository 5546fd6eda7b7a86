// The stack's output names, defined once: the CDK app writes them, `certvigil doctor` reads them.
export const STACK_OUTPUTS = {
  adminUrl: 'AdminUrl',
  adminCallerPolicyArn: 'AdminCallerPolicyArn',
  cliCommand: 'CliCommand',
  alertTopicArn: 'AlertTopicArn',
  probeFunctionName: 'ProbeFunctionName',
  dispatcherFunctionName: 'DispatcherFunctionName',
  dispatchSchedule: 'DispatchSchedule',
  discoveryFunctionName: 'DiscoveryFunctionName',
  actionLinksUrl: 'ActionLinksUrl',
} as const;

/** The stack name `cdk deploy` uses unless told otherwise (context `stackName`). */
export const DEFAULT_STACK_NAME = 'Certvigil';
