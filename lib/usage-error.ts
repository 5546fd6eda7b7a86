// A mistake in what a person asked for (the command line, a URL, missing credentials): the CLI
// prints it as one line and exits with status 3. Defined below every folder, so the admin client
// (net/) and the commands (cli/) throw the same error.

/** A mistake in the command line: printed as one line, exit status 3. */
export class UsageError extends Error {
  override name = 'UsageError';
}
