// Child process of dispatch-throughput.ts: runs the real dispatcher handler once (continuations
// included, run in this process) and prints its report and peak memory as JSON.
const { handler } = await import('../lambdas/dispatcher.ts');
const deadline = Date.now() + 900_000;
const context = {
  functionName: 'certvigil-dispatcher',
  invokedFunctionArn: 'arn:aws:lambda:local:000000000000:function:certvigil-dispatcher',
  getRemainingTimeInMillis: () => deadline - Date.now(),
  awsRequestId: 'bench',
} as unknown as import('aws-lambda').Context;
const started = performance.now();
const summary = await handler({ source: 'aws.events' }, context);
const seconds = (performance.now() - started) / 1000;
process.stdout.write(`${JSON.stringify({ summary, seconds, peakRssKiB: process.resourceUsage().maxRSS })}\n`);
