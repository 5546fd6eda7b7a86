// Why a file could not be read, as a person reads it: `no such file`, not ENOENT.

/** Why a file could not be read, in words (`no such file`), not Node's code. */
export function fileProblem(error: unknown): string {
  const code = (error as NodeJS.ErrnoException)?.code;
  const words: Record<string, string> = {
    ENOENT: 'no such file',
    EACCES: 'permission denied',
    EPERM: 'permission denied',
    EISDIR: 'it is a directory',
    ENOTDIR: 'a part of the path is not a directory',
  };
  return (code && words[code]) ?? (error as Error)?.message ?? String(error);
}
