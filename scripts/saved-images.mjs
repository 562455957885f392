#!/usr/bin/env node
// Prints how many images the checkpoint in result folder DIR holds (0 when there is none yet), for
// the cluster scripts that stop a run after its first checkpoint. Reads both checkpoint formats:
// checkpoint.json (a JSON state) and checkpoint/state.json (a state folder, committed empty first).
import { readFileSync } from 'node:fs';
import path from 'node:path';

const dir = process.argv[2];
const read = (file) => {
  try {
    return JSON.parse(readFileSync(path.join(dir, file), 'utf8'));
  } catch {
    return null;
  }
};
const json = read('checkpoint.json');
const folder = read('checkpoint/state.json');
console.log(json?.state?.processed?.length ?? folder?.state?.images ?? 0);
