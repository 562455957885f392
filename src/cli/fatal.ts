import { OptionError } from '../option-error.js';

/**
 * The single exit path for errors (as vsce's main.ts): one line on stderr, exit code 1, and the
 * stack only when EQUIPROBE_DEBUG is set. Library code throws; only the CLI exits.
 */
export function fatal(err: unknown): never {
  const message = err instanceof OptionError ? err.forCli() : err instanceof Error ? err.message : String(err);
  process.stderr.write(`equiprobe: ${message.split('\n')[0]}\n`);
  if (process.env.EQUIPROBE_DEBUG && err instanceof Error && err.stack) process.stderr.write(`${err.stack}\n`);
  process.exit(1);
}

/** Wraps a command action so that any error goes through `fatal`. */
export function action<A extends unknown[]>(fn: (...args: A) => Promise<void>): (...args: A) => Promise<void> {
  return async (...args: A) => {
    try {
      await fn(...args);
    } catch (err) {
      fatal(err);
    }
  };
}
