import { renameSync, rmSync, writeFileSync } from 'node:fs';
import { rename, rm, writeFile } from 'node:fs/promises';

/**
 * Writes JSON so that a reader sees either the old file or the new one, never a torn one: the
 * text goes to a temporary file beside the target (same file system), then a rename replaces it.
 *
 * @param file - target path; its folder must exist
 */
export async function writeJsonAtomic(file: string, value: unknown): Promise<void> {
  const temporary = `${file}.tmp-${process.pid}`;
  try {
    await writeFile(temporary, JSON.stringify(value));
    await rename(temporary, file);
  } catch (err) {
    await rm(temporary, { force: true });
    throw err;
  }
}

/** `writeJsonAtomic` in one synchronous step, for small manifests written after every batch (no event-loop round trips). */
export function writeJsonAtomicSync(file: string, value: unknown): void {
  const temporary = `${file}.tmp-${process.pid}`;
  try {
    writeFileSync(temporary, JSON.stringify(value));
    renameSync(temporary, file);
  } catch (err) {
    rmSync(temporary, { force: true });
    throw err;
  }
}
