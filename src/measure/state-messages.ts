/** Text of the errors about a measurement's state folder (checkpoints, shards); one line each. */
export const stateMessages = {
  noState: (dir: string) => `Cannot resume: no readable checkpoint at '${dir}'. Run without --resume (add --force to replace old results).`,
  otherVersion: (dir: string, found: unknown, expected: number) =>
    `'${dir}' holds a state of another equiprobe (state format ${String(found)}, this one reads ${expected}); it cannot be resumed or merged. Measure again (--force replaces it).`,
  otherOptions: (dir: string) => `Cannot resume: '${dir}' was written with other options or another model. Run with the same options, or use --force to start over.`,
  oldState: (file: string) =>
    `'${file}' was written by an older equiprobe (a JSON checkpoint); it cannot be resumed or merged. Measure again (--force replaces it).`,
  stateMismatch: (dir: string) => `The result.json and state/ of '${dir}' are from different runs (a write was interrupted); measure this shard again.`,
  noShardState: (dir: string) => `'${dir}' has no state folder; pass result folders written by \`equiprobe measure --shard i/n\`.`,
  locked: (dir: string, owner: string) =>
    `'${dir}' is being written by process ${owner}; wait for it to finish or stop it (a lock left by a process that is gone is taken over).`,
  lockedElsewhere: (dir: string, owner: string, lock: string) =>
    `'${dir}' is locked by process ${owner} on another machine; wait for it, or delete '${lock}' if that process is gone.`,
} as const;
