// Reading the environment for the functions' configuration: text, numbers in a range, lists, role
// ARNs, ACME directories, booleans and choices, each problem collected so that one error names
// every missing or bad variable (config.ts builds each function's configuration with it).
export class ConfigError extends Error {
  override name = 'ConfigError';
}

export type Env = Record<string, string | undefined>;

/** Reads variables, collecting every missing or bad one; `done` throws one error naming them all. */
export class Reader {
  private readonly env: Env;
  private readonly missing: string[] = [];
  private readonly invalid: string[] = [];

  constructor(env: Env) {
    this.env = env;
  }

  text(name: string): string {
    const value = this.env[name]?.trim();
    if (!value) {
      this.missing.push(name);
      return '';
    }
    return value;
  }

  optionalText(name: string): string | undefined {
    return this.env[name]?.trim() || undefined;
  }

  number(name: string, fallback: number, rule: { min: number; max?: number; integer?: boolean }): number {
    const raw = this.env[name]?.trim();
    if (!raw) return fallback;
    const value = Number(raw);
    if (
      !Number.isFinite(value) ||
      value < rule.min ||
      (rule.max !== undefined && value > rule.max) ||
      (rule.integer && !Number.isInteger(value))
    ) {
      const range = rule.max === undefined ? `at least ${rule.min}` : `from ${rule.min} to ${rule.max}`;
      this.invalid.push(`${name} must be ${rule.integer ? 'a whole number' : 'a number'} ${range} (got "${raw}")`);
      return fallback;
    }
    return value;
  }

  optionalNumber(name: string, rule: { min: number; max?: number }): number | undefined {
    if (!this.env[name]?.trim()) return undefined;
    return this.number(name, 0, rule);
  }

  /** A comma-separated list (empty: none). */
  list(name: string): string[] {
    return (this.env[name] ?? '')
      .split(',')
      .map((v) => v.trim())
      .filter(Boolean);
  }

  /**
   * A variable parsed by `parse`, which throws what is wrong with it (recorded, with the name);
   * `fallback` when unset or refused.
   */
  parsed<T>(name: string, parse: (raw: string) => T, fallback: () => T): T {
    const raw = this.env[name]?.trim();
    if (!raw) return fallback();
    try {
      return parse(raw);
    } catch (error) {
      this.invalid.push(`${name}: ${(error as Error).message}`);
      return fallback();
    }
  }

  oneOf<T extends string>(name: string, values: readonly T[], fallback: T): T {
    const raw = this.env[name]?.trim();
    if (!raw) return fallback;
    if ((values as readonly string[]).includes(raw)) return raw as T;
    this.invalid.push(`${name} must be one of ${values.join(', ')} (got "${raw}")`);
    return fallback;
  }

  boolean(name: string, fallback: boolean): boolean {
    const raw = this.env[name]?.trim().toLowerCase();
    if (!raw) return fallback;
    if (raw === 'true' || raw === '1') return true;
    if (raw === 'false' || raw === '0') return false;
    this.invalid.push(`${name} must be true or false (got "${raw}")`);
    return fallback;
  }

  /** Throws one ConfigError naming everything wrong, or returns the value. */
  done<T>(value: T): T {
    const problems = [
      ...(this.missing.length
        ? [`missing environment variable${this.missing.length > 1 ? 's' : ''} ${this.missing.join(', ')}`]
        : []),
      ...this.invalid,
    ];
    if (problems.length) throw new ConfigError(`certvigil configuration: ${problems.join('; ')}`);
    return value;
  }
}
