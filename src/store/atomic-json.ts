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
