import type { Command } from 'commander';
import { formatTable } from '../report/text-tables.js';
import { describeProbes } from '../probeset.js';
import { snakeKeys } from '../report/disk-format.js';
import { action } from './fatal.js';
import { addModelFlags, type MeasureFlags } from './flags.js';

/** `equiprobe layers MODEL`: the probe set `measure` would use, without measuring. */
export function registerLayers(program: Command): void {
  const cmd = program
    .command('layers')
    .description('list the probe set (name, op, layout, shape, part) that measure would use')
    .argument('<model>', 'ONNX model file')
    .option('--json', 'print JSON instead of a table');
  addModelFlags(cmd);
  cmd.action(
    action(async (model: string, flags: MeasureFlags & { json?: boolean }) => {
      const { input, probes, notProbed } = await describeProbes({ model, ...flags, layers: flags.layer?.length ? flags.layer : flags.layers });
      if (flags.json) {
        // snake_case keys, as in result.json.
        process.stdout.write(`${JSON.stringify(snakeKeys({ input, probes, notProbed }), null, 2)}
`);
        return;
      }
      const rows = probes.map((p) => ({ depth: p.depth, name: p.name, op: p.op, layout: p.kind, shape: `${p.channels}×${p.h}×${p.w}`, part: p.part ?? '-' }));
      process.stdout.write(`input ${input.name}: ${input.layout} ${input.channels}×${input.height}×${input.width}\n`);
      process.stdout.write(`${formatTable(rows, ['depth', 'name', 'op', 'layout', 'shape', 'part'])}\n`);
      if (notProbed.length > 0) {
        const left = notProbed.map((t) => ({ name: t.name, op: t.op, dims: `[${t.dims.join(',')}]`, reason: t.reason }));
        process.stdout.write(`\nnot probed (${notProbed.length}): layout not read as a map, tokens or vector\n${formatTable(left, ['name', 'op', 'dims', 'reason'])}\n`);
      }
    }),
  );
}
