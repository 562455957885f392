import { renameSync, rmSync, writeFileSync } from 'node:fs';

/**
 * Writes JSON so that a reader sees either the old file or the new one, never a torn one: the
 * text goes to a temporary file beside the target (same file system), then a rename replaces it.
 * Synchronous: the files are small manifests, written after every batch, where each asynchronous
 * step would wait for the event loop.
 *
 * @param file - target path; its folder must exist
 */
export function writeJsonAtomic(file: string, value: unknown): void {
  writeTextAtomic(file, JSON.stringify(value));
}

/** `writeJsonAtomic` for text already serialised (a snapshot taken before the writes). */
export function writeTextAtomic(file: string, text: string): void {
  const temporary = `${file}.tmp-${process.pid}`;
  try {
    writeFileSync(temporary, text);
    renameSync(temporary, file);
  } catch (err) {
    rmSync(temporary, { force: true });
    throw err;
  }
}
