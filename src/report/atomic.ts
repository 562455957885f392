import { mkdir, mkdtemp, readdir, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';

/** One output file: name relative to the result folder, and its content. */
export interface OutputFile {
  readonly name: string;
  readonly content: string | Uint8Array;
}

function diskMessage(dir: string, err: NodeJS.ErrnoException): string {
  if (err.code === 'ENOSPC') return `Disk full while writing results to '${dir}'; the previous result there is left intact. Free space and run again.`;
  if (err.code === 'EACCES' || err.code === 'EPERM' || err.code === 'EROFS') return `Cannot write results to '${dir}' (${err.code}). Choose another folder with --out.`;
  return `Cannot write results to '${dir}': ${err.message}`;
}

/**
 * Writes a set of files into `dir` so that no reader ever sees a half-written file: everything is
 * first written into a hidden staging folder inside `dir` (same file system, so renames work),
 * then each file is renamed into place (a rename is atomic). A failure before the renames (a full
 * disk, say) leaves the files already in `dir` as they were.
 *
 * @param dir - result folder (created if missing)
 * @param files - files to write, names may contain subfolders
 */
export async function writeFilesAtomic(dir: string, files: readonly OutputFile[]): Promise<void> {
  let staging: string | null = null;
  try {
    await mkdir(dir, { recursive: true });
    // A run killed while writing leaves its staging folder behind; one writer per folder, so clear them.
    for (const entry of await readdir(dir)) if (entry.startsWith('.staging-')) await rm(path.join(dir, entry), { recursive: true, force: true });
    staging = await mkdtemp(path.join(dir, '.staging-'));
    for (const file of files) {
      const target = path.join(staging, file.name);
      await mkdir(path.dirname(target), { recursive: true });
      await writeFile(target, file.content);
    }
    for (const file of files) {
      const target = path.join(dir, file.name);
      await mkdir(path.dirname(target), { recursive: true });
      await rename(path.join(staging, file.name), target);
    }
  } catch (err) {
    throw new Error(diskMessage(dir, err as NodeJS.ErrnoException));
  } finally {
    if (staging) await rm(staging, { recursive: true, force: true });
  }
}
